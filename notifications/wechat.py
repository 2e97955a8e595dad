"""PLACEHOLDER — being replaced by the WeChat gateway (wechatpy)."""
class WeChatError(Exception):
    def __init__(self, errcode, errmsg=""):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class WeChatUnavailable(Exception):
    pass


def get_gateway(app):
    raise WeChatUnavailable("not implemented yet")
