"""Run the fake Twilio and SendGrid APIs in their own process (benchmarks, manual tries).

    python -m tests.fakes.serve --latency 0.1
prints one JSON line {"twilio": <base url>, "sendgrid": <base url>} and serves until killed.
GET <base url>/__fake/stats answers {"max_inflight", "request_count", "accepted_ids"}.
"""

from __future__ import annotations

import argparse
import json
import threading

from tests.fakes.sendgrid import FakeSendGrid
from tests.fakes.twilio import FakeTwilio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    twilio = FakeTwilio(latency=args.latency).start()
    sendgrid = FakeSendGrid(latency=args.latency, counter=twilio.counter).start()  # one in-flight count
    print(json.dumps({"twilio": twilio.base_url, "sendgrid": sendgrid.base_url}), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
