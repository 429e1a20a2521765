import json
import urllib.request


def test_the_real_server_answers_health(live_server_url):
    with urllib.request.urlopen(live_server_url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True}
