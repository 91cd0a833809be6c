"""Local fakes for tests and benchmarks: Twilio and SendGrid HTTP APIs, webhook requests, test data, short database steps."""
