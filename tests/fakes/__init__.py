"""Local fakes for tests and benchmarks: Twilio and SendGrid HTTP APIs, test data, a temp database."""
