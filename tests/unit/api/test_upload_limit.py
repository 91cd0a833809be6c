"""The public upload endpoint takes no more than one PDF's worth of bytes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from careconnect_app.api.upload_limit import upload_limit


async def _echo(request: Request):
    try:
        body = await request.body()
    except ClientDisconnect:
        return PlainTextResponse("cut off", status_code=499)
    return PlainTextResponse(str(len(body)))


def _client(limit: int) -> TestClient:
    app = Starlette(routes=[Route("/_upload", _echo, methods=["POST"]), Route("/other", _echo, methods=["POST"])])
    return TestClient(upload_limit(app, limit=limit))


def test_declared_size_over_the_limit_is_refused_before_reading():
    client = _client(limit=1000)
    assert client.post("/_upload", content=b"x" * 1001).status_code == 413
    assert client.post("/_upload", content=b"x" * 1000).text == "1000"
    assert client.post("/other", content=b"x" * 5000).text == "5000"  # only the upload endpoint is limited


def test_a_body_that_grows_past_the_limit_is_cut_off():
    def chunks():
        for _ in range(20):
            yield b"x" * 100

    response = _client(limit=1000).post("/_upload", content=chunks())  # no Content-Length: chunked
    assert response.status_code == 499
