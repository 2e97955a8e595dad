import pytest


@pytest.fixture(autouse=True)
def _fresh_wechat(wechat_server):
    """Each test starts with the fake WeChat server's codes, failures and request log cleared."""
    wechat_server.reset()
    yield wechat_server
