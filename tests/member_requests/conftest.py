import pytest


@pytest.fixture(autouse=True)
def _fresh_fakes(wechat_server, sms_server):
    """Each test starts with the fake WeChat and SMS servers' state cleared."""
    wechat_server.reset()
    sms_server.reset()
    yield
