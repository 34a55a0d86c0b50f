"""The playground's web app in-process (Starlette's TestClient): the guard, the socket, the model file."""
import io
import json

import numpy as np
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nnmath.io.model import load_model
from nnmath.playground.app import create_app
from nnmath.playground import messages
from nnmath.playground.guard import cookie_name
from nnmath.playground.session import Session

TOKEN = "launch-token-123"
BASE = "http://127.0.0.1:8765"
HOST = {"host": "127.0.0.1:8765"}  # the test client's WebSocket says "testserver" otherwise
ORIGIN = {"origin": BASE, **HOST}


@pytest.fixture
def app():
    return create_app(TOKEN)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE) as c:
        yield c


def test_the_page_needs_the_token_and_sets_it_as_a_cookie_for_its_files(client):
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert "token" in client.get("/?token=wrong").text
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200 and "nnmath playground" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.cookies.get(cookie_name(8765)) == TOKEN
    assert client.get("/static/main.js").status_code == 200  # the cookie carries the token
    assert client.get("/static/vendor/katex/katex.min.js").status_code == 200
    client.cookies.clear()
    assert client.get("/static/main.js").status_code == 403
    assert client.get("/model.npz").status_code == 403


def test_the_page_refers_to_nothing_outside_the_playground(client):
    page = client.get(f"/?token={TOKEN}").text
    css = client.get("/static/vendor/katex/katex.min.css").text
    for text in (page, css, client.get("/static/style.css").text):
        assert "http://" not in text.replace(BASE, "") and "https://" not in text and "//cdn" not in text


def test_a_host_that_is_not_loopback_is_refused(app):
    with TestClient(app, base_url="http://evil.example:8765") as c:
        response = c.get(f"/?token={TOKEN}")
        assert response.status_code == 403 and "loopback" in response.text


def test_the_socket_needs_the_token_and_the_pages_own_origin(client):
    for path, headers in ((f"/ws?token={TOKEN}", HOST), (f"/ws?token={TOKEN}", {"origin": "http://evil.example", **HOST}),
                          (f"/ws?token={TOKEN}", {"origin": "http://127.0.0.1:9999", **HOST}), ("/ws?token=nope", ORIGIN),
                          ("/ws", ORIGIN), (f"/ws?token={TOKEN}", {"origin": BASE})):
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect(path, headers=headers) as ws:
                ws.receive_text()
        assert refused.value.code == 1008
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:  # the page's own: let in
        assert talk(ws, {"type": "frame"})["type"] == "frame"


def test_a_post_from_another_origin_is_refused(client):
    response = client.post(f"/?token={TOKEN}", headers={"origin": "http://evil.example"})
    assert response.status_code == 403 and "origin" in response.text


def talk(ws, message):
    ws.send_text(json.dumps(message))
    return json.loads(ws.receive_text())


def test_the_socket_trains_explains_and_survives_hostile_messages(client, app):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
        ws.send_text(json.dumps({"type": "hello", "settings": {"data": "xor", "learning_rate": 0.1}, "id": 1}))
        structure, frame = json.loads(ws.receive_text()), json.loads(ws.receive_text())
        assert structure["type"] == "structure" and structure["settings"]["data"] == "xor" and frame["step"] == 0
        for hostile in ("{", "[]", '{"type": "x"}', '{"type": "settings", "changes": {"hidden": [99]}}',
                        '{"type": "explain", "parameter": "W1[9,9]"}', "[" * 50000):
            ws.send_text(hostile)
            reply = json.loads(ws.receive_text())
            assert reply["type"] == "error" and reply["message"]
        ws.send_bytes(b"\x00\x01")
        assert json.loads(ws.receive_text())["type"] == "error"
        for _ in range(20):
            frame = talk(ws, {"type": "epoch"})
        assert frame["step"] > 0 and frame["records"][-1]["train_loss"] < structure["records"][0]["train_loss"]
        derivation = talk(ws, {"type": "explain", "parameter": "W1[1,2]", "sample": 3, "id": 9})
        assert derivation["type"] == "derivation" and derivation["id"] == 9
        session = app.playground.session
        g = session.net.gradients(session.X_train[[3]], session.points.y_train[[3]]).weights[0][1, 2]
        assert derivation["summary"]["backprop"] == pytest.approx(g, rel=1e-12)


def test_a_refused_setting_gets_its_reason_and_changes_nothing(client, app):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
        reply = talk(ws, {"type": "settings", "changes": {"learning_rate": 1e9}})
        assert reply["type"] == "error" and "'learning_rate' must be in (0, 10]" in reply["message"]
        assert app.playground.session.settings.learning_rate == 0.03


def test_an_upload_over_the_limit_is_refused_and_the_server_goes_on(client):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
        reply = talk(ws, {"type": "upload", "name": "big.csv", "text": "a,b,c\n" + "1,2,0\n" * 200000})
        assert reply["type"] == "error" and "up to" in reply["message"]
        assert talk(ws, {"type": "frame"})["type"] == "frame"


def test_the_model_file_downloads_and_opens_in_load_model(client, app, tmp_path):
    client.get(f"/?token={TOKEN}")
    response = client.get("/model.npz")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    path = tmp_path / "m.npz"
    path.write_bytes(response.content)
    net, info = load_model(path)
    np.testing.assert_array_equal(net.theta, app.playground.session.net.theta)
    assert np.load(io.BytesIO(response.content), allow_pickle=False)["W1"].shape == (2, 4)


def test_a_client_that_leaves_does_not_stop_the_server(client):
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
        ws.send_text(json.dumps({"type": "epoch"}))  # gone before the reply is read
    with client.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
        assert talk(ws, {"type": "frame"})["type"] == "frame"


def test_the_token_cookie_is_found_again_when_the_host_names_no_port():
    """Found in review: on port 80 (a Host without a port) the page set 'nnmath_playground_None' and the
    guard looked for 'nnmath_playground_', so the page's own files were refused."""
    from starlette.testclient import TestClient

    from nnmath.playground.app import create_app

    with TestClient(create_app(TOKEN), base_url="http://127.0.0.1") as plain:
        assert plain.get(f"/?token={TOKEN}").status_code == 200
        assert plain.get("/static/main.js").status_code == 200


def test_a_derivation_after_divergence_is_sent_and_the_socket_stays_open():
    # found by clicking a weight after a run on the plane diverged at α = 10: the derivation's
    # numbers were NaN, json.dumps refused them and the page lost its connection
    session = Session({"data": "plane", "output": "identity_mse", "learning_rate": 10})
    while session.diverged is None:
        session.train(1)
    with TestClient(create_app(TOKEN, session), base_url=BASE) as c:
        with c.websocket_connect(f"/ws?token={TOKEN}", headers=ORIGIN) as ws:
            derivation = talk(ws, {"type": "explain", "parameter": "W1[0,0]", "sample": 0})
            assert derivation["type"] == "derivation" and derivation["summary"]["backprop"] == "NaN"
            assert talk(ws, {"type": "frame"})["type"] == "frame"


def test_a_reply_that_json_cannot_carry_becomes_an_error_reply():
    text = messages.encoded({"type": "frame", "value": float("nan"), "id": 7})
    reply = json.loads(text)
    assert reply["type"] == "error" and "internal error" in reply["message"] and reply["id"] == 7
