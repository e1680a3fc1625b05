"""Alipay (支付宝) through the official alipay-sdk-python, RSA2 throughout.

The real gateway and the local simulator are reached through this one class; only the
variant's options (gateway URL, app id, keys) differ.

What comes from the SDK: the request and model classes for ``alipay.trade.page.pay``,
``wap.pay``, ``precreate``, ``query``, ``refund`` and ``close``; request signing
(``DefaultAlipayClient.page_execute`` for browser redirects and ``sdk_execute`` for
server-to-server calls, both of which build the sign content and sign it with
``sign_with_rsa2``); the response classes; and ``get_sign_content`` /
``verify_with_rsa`` for checking signatures.

What does not: the SDK's HTTP client. ``alipay.aop.api.util.WebUtils.get_http_connection``
always connects to port 80 or 443 whatever the gateway URL says, and raises a
``TypeError`` when the URL carries a port (it concatenates an ``int`` to a ``str``). A
gateway on another port (the simulator in development, a proxy in production) cannot
be reached with it, so :meth:`AlipayProvider._execute` signs the request with the SDK
(``sdk_execute``), posts it with ``requests``, and verifies the response signature
with the SDK's own ``verify_with_rsa`` on the exact bytes of the ``*_response`` object,
as ``DefaultAlipayClient`` does. The SDK also has no notification helper, so
:meth:`verify_notification` builds the sign content with the SDK's ``get_sign_content``
and checks it with ``verify_with_rsa``.
"""

import json
import logging
from urllib.parse import parse_qsl, urljoin

import requests
import rsa
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayTradeCloseModel import AlipayTradeCloseModel
from alipay.aop.api.domain.AlipayTradePagePayModel import AlipayTradePagePayModel
from alipay.aop.api.domain.AlipayTradePrecreateModel import AlipayTradePrecreateModel
from alipay.aop.api.domain.AlipayTradeQueryModel import AlipayTradeQueryModel
from alipay.aop.api.domain.AlipayTradeRefundModel import AlipayTradeRefundModel
from alipay.aop.api.domain.AlipayTradeWapPayModel import AlipayTradeWapPayModel
from alipay.aop.api.request.AlipayTradeCloseRequest import AlipayTradeCloseRequest
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from alipay.aop.api.request.AlipayTradeWapPayRequest import AlipayTradeWapPayRequest
from alipay.aop.api.response.AlipayTradeCloseResponse import AlipayTradeCloseResponse
from alipay.aop.api.response.AlipayTradePrecreateResponse import AlipayTradePrecreateResponse
from alipay.aop.api.response.AlipayTradeQueryResponse import AlipayTradeQueryResponse
from alipay.aop.api.response.AlipayTradeRefundResponse import AlipayTradeRefundResponse
from alipay.aop.api.util.SignatureUtils import get_sign_content, verify_with_rsa
from django.conf import settings
from django.utils import timezone

from core.money import gateway_amount, parse_gateway_amount

from ..keys import read_key, to_pkcs1_private_pem, to_spki_public_pem
from .base import (
    BasePaymentProvider,
    Checkout,
    ErrorKind,
    NotificationData,
    NotificationRejected,
    ProviderError,
    QueryResult,
    RefundResult,
    TradeStatus,
)

logger = logging.getLogger("payments.alipay")

CHARSET = "utf-8"
SUCCESS_CODE = "10000"
# Alipay's trade_status values in the platform's neutral terms.
TRADE_STATUS = {
    "WAIT_BUYER_PAY": TradeStatus.PENDING,
    "TRADE_SUCCESS": TradeStatus.PAID,
    "TRADE_FINISHED": TradeStatus.PAID,
    "TRADE_CLOSED": TradeStatus.CLOSED,
}
# Alipay's public error codes: 40004 "Business Failed" is the gateway refusing the
# operation, with an ACQ.* sub-code saying why. Any other code (20000 service unavailable,
# 40001/40002 missing or invalid arguments, 40003 insufficient permissions) is not a
# refusal of this trade, so the services treat it as the gateway being unavailable.
BUSINESS_FAILED = "40004"
SUB_CODE_KINDS = {
    "ACQ.TRADE_NOT_EXIST": ErrorKind.NOT_FOUND,
    "ACQ.TRADE_HAS_SUCCESS": ErrorKind.ALREADY_PAID,
    "ACQ.TRADE_HAS_CLOSE": ErrorKind.ALREADY_CLOSED,
}


def error_kind(code, sub_code):
    """The neutral :class:`ErrorKind` of an Alipay error answer (``code``, ``sub_code``)."""
    if sub_code in SUB_CODE_KINDS:
        return SUB_CODE_KINDS[sub_code]
    return ErrorKind.REJECTED if code == BUSINESS_FAILED else ErrorKind.UNAVAILABLE


def alipay_time(dt):
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time, as the gateway expects."""
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S")


def extract_signed_response(body, method):
    """Return (exact text of the ``<method>_response`` object, parsed object, sign or "").

    The signature covers the bytes of that object as sent, so it is cut out of the body
    rather than re-serialised. ``error_response`` is used when the gateway could not
    route the call.
    """
    decoder = json.JSONDecoder()
    for key in (method.replace(".", "_") + "_response", "error_response"):
        marker = f'"{key}"'
        start = body.find(marker)
        if start < 0:
            continue
        colon = body.index(":", start + len(marker))
        index = colon + 1
        while body[index] in " \t\r\n":
            index += 1
        parsed, end = decoder.raw_decode(body, index)
        document = json.loads(body)
        return body[index:end], parsed, document.get("sign", "") if isinstance(document, dict) else ""
    raise ProviderError(f"unexpected response shape from the gateway for {method}", raw={"body": body[:500]})


class AlipayProvider(BasePaymentProvider):
    sign_type = "RSA2"

    def __init__(self, variant, **options):
        super().__init__(variant, **options)
        self.app_id = options.get("app_id", "")
        self.seller_id = options.get("seller_id", "")
        self.gateway_url = options.get("gateway_url", "")
        self.timeout = options.get("timeout", settings.PAYMENTS_GATEWAY_TIMEOUT)

    # --- configuration -----------------------------------------------------------
    @property
    def server_url(self):
        """The gateway URL; a relative one belongs to this site (the simulator)."""
        if not self.gateway_url:
            raise ProviderError("Alipay gateway URL is not configured")
        return urljoin(settings.PAYMENTS_SITE_URL.rstrip("/") + "/", self.gateway_url)

    def app_private_key(self):
        text = read_key(
            self.options.get("app_private_key"), self.options.get("app_private_key_path"), "app private key"
        )
        return to_pkcs1_private_pem(text)

    def alipay_public_key(self):
        text = read_key(
            self.options.get("alipay_public_key"),
            self.options.get("alipay_public_key_path"),
            "Alipay public key",
        )
        return to_spki_public_pem(text)

    def client(self):
        if not self.app_id:
            raise ProviderError("Alipay app_id is not configured")
        config = AlipayClientConfig()
        config.server_url = self.server_url
        config.app_id = self.app_id
        config.sign_type = self.sign_type
        config.charset = CHARSET
        config.app_private_key = self.app_private_key()
        config.alipay_public_key = self.alipay_public_key()
        config.timeout = self.timeout
        return DefaultAlipayClient(alipay_client_config=config, logger=logger)

    # --- server-to-server calls --------------------------------------------------
    def _execute(self, request, response_class):
        """Sign with the SDK, post with ``requests``, verify with the SDK (see module doc)."""
        method = request.get_params()["method"]
        body = self.client().sdk_execute(request)
        try:
            http = requests.post(
                self.server_url,
                data=body.encode(CHARSET),
                headers={"Content-Type": f"application/x-www-form-urlencoded;charset={CHARSET}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ProviderError(f"{method}: gateway unreachable: {exc}") from exc
        if http.status_code != 200:
            raise ProviderError(f"{method}: gateway answered HTTP {http.status_code}")
        text = http.content.decode(CHARSET)
        content, parsed, sign = extract_signed_response(text, method)
        if sign:
            try:
                verify_with_rsa(self.alipay_public_key(), content.encode(CHARSET), sign)
            except (rsa.VerificationError, ValueError) as exc:
                raise ProviderError(f"{method}: response signature does not verify", raw=parsed) from exc
        elif parsed.get("code") == SUCCESS_CODE:
            # A successful answer must be signed; only errors may come unsigned.
            raise ProviderError(f"{method}: unsigned successful response refused", raw=parsed)
        response = response_class()
        response.parse_response_content(content)
        if response.code != SUCCESS_CODE:
            raise ProviderError(
                f"{method}: {response.code} {response.msg} {response.sub_code or ''} {response.sub_msg or ''}".strip(),
                kind=error_kind(response.code or "", response.sub_code or ""),
                code=response.code or "",
                sub_code=response.sub_code or "",
                raw=parsed,
            )
        return response, parsed

    # --- checkout -----------------------------------------------------------------
    def create_checkout(self, intent, channel, *, return_url, notify_url):
        subject = intent.description[:256]
        if channel == "pc":
            model = AlipayTradePagePayModel()
            model.product_code = "FAST_INSTANT_TRADE_PAY"
            request_class = AlipayTradePagePayRequest
        elif channel == "mobile":
            model = AlipayTradeWapPayModel()
            model.product_code = "QUICK_WAP_WAY"
            model.quit_url = return_url
            request_class = AlipayTradeWapPayRequest
        elif channel == "qr":
            model = AlipayTradePrecreateModel()
            request_class = AlipayTradePrecreateRequest
        else:
            raise ProviderError(f"unsupported channel {channel!r}")
        model.out_trade_no = intent.out_trade_no
        model.total_amount = gateway_amount(intent.amount)
        model.subject = subject
        model.time_expire = alipay_time(intent.expires_at)
        request = request_class(biz_model=model)
        request.notify_url = notify_url
        if channel == "qr":
            response, _parsed = self._execute(request, AlipayTradePrecreateResponse)
            return Checkout(channel=channel, qr_content=response.qr_code)
        request.return_url = return_url
        # GET: the whole signed request in one URL, so the browser is simply redirected
        # (no inline script, which the site's CSP forbids).
        return Checkout(channel=channel, redirect_url=self.client().page_execute(request, http_method="GET"))

    # --- notifications ------------------------------------------------------------
    @staticmethod
    def _parse_body(raw_body):
        try:
            text = raw_body.decode(CHARSET)
        except UnicodeDecodeError as exc:
            raise NotificationRejected("notification body is not UTF-8") from exc
        try:
            pairs = parse_qsl(
                text, keep_blank_values=True, strict_parsing=True, encoding=CHARSET, errors="strict"
            )
        except ValueError as exc:
            raise NotificationRejected(f"notification body is not a form: {exc}") from exc
        params = {}
        for key, value in pairs:
            if key in params:
                raise NotificationRejected(f"parameter {key!r} appears twice")
            params[key] = value
        return params

    def notification_id(self, raw_body):
        try:
            return self._parse_body(raw_body).get("notify_id", "")
        except NotificationRejected:
            return ""

    def verify_notification(self, raw_body):
        params = self._parse_body(raw_body)
        sign = params.pop("sign", "")
        sign_type = params.pop("sign_type", "")
        if not sign:
            raise NotificationRejected("notification has no sign")
        if sign_type != self.sign_type:
            raise NotificationRejected(f"sign_type {sign_type!r} refused; only RSA2 is accepted")
        content = get_sign_content(params)
        try:
            verify_with_rsa(self.alipay_public_key(), content.encode(CHARSET), sign)
        except (rsa.VerificationError, ValueError) as exc:
            raise NotificationRejected("notification signature does not verify") from exc
        # From here on the content is Alipay's.
        if params.get("app_id") != self.app_id:
            raise NotificationRejected(f"app_id {params.get('app_id')!r} is not ours", verified=True)
        if self.seller_id and params.get("seller_id") != self.seller_id:
            raise NotificationRejected(f"seller_id {params.get('seller_id')!r} is not ours", verified=True)
        try:
            amount = parse_gateway_amount(params.get("total_amount"))
        except ValueError as exc:
            raise NotificationRejected(str(exc), verified=True) from exc
        status = TRADE_STATUS.get(params.get("trade_status", ""))
        if status is None:
            raise NotificationRejected(f"unknown trade_status {params.get('trade_status')!r}", verified=True)
        return NotificationData(
            notification_id=params.get("notify_id", ""),
            out_trade_no=params.get("out_trade_no", ""),
            trade_no=params.get("trade_no", ""),
            trade_status=status,
            amount=amount,
            params=params,
        )

    def check_against_intent(self, data, intent):
        if data.amount != intent.amount:
            raise NotificationRejected(
                f"total_amount {data.amount} does not match the intent's {intent.amount}", verified=True
            )
        if intent.provider_trade_no and data.trade_no and data.trade_no != intent.provider_trade_no:
            raise NotificationRejected(
                f"trade_no {data.trade_no} differs from the recorded {intent.provider_trade_no}",
                verified=True,
            )

    def notification_reply(self, ok):
        # Alipay stops retrying only on the exact body "success".
        return ("success", 200) if ok else ("failure", 400)

    # --- query, refund, close ----------------------------------------------------
    def query(self, intent):
        model = AlipayTradeQueryModel()
        model.out_trade_no = intent.out_trade_no
        try:
            response, parsed = self._execute(
                AlipayTradeQueryRequest(biz_model=model), AlipayTradeQueryResponse
            )
        except ProviderError as exc:
            if exc.kind == ErrorKind.NOT_FOUND:
                return QueryResult(trade_status=TradeStatus.NOT_FOUND, raw=exc.raw or {})
            raise
        if response.out_trade_no != intent.out_trade_no:
            raise ProviderError("query answered for another trade", raw=parsed)
        status = TRADE_STATUS.get(response.trade_status)
        if status is None:
            raise ProviderError(f"unknown trade_status {response.trade_status!r}", raw=parsed)
        return QueryResult(
            trade_status=status,
            trade_no=response.trade_no or "",
            amount=parse_gateway_amount(response.total_amount),
            raw=parsed,
        )

    def refund(self, intent, refund):
        model = AlipayTradeRefundModel()
        model.out_trade_no = intent.out_trade_no
        model.refund_amount = gateway_amount(refund.amount)
        model.refund_reason = refund.reason[:256]
        model.out_request_no = refund.out_request_no
        response, parsed = self._execute(AlipayTradeRefundRequest(biz_model=model), AlipayTradeRefundResponse)
        if response.out_trade_no != intent.out_trade_no:
            raise ProviderError("refund answered for another trade", raw=parsed)
        return RefundResult(
            provider_refund_id=f"{response.trade_no}:{refund.out_request_no}",
            # refund_fee in the answer is the trade's cumulative refund, not this one's.
            amount=refund.amount,
            raw=parsed,
        )

    def close(self, intent):
        model = AlipayTradeCloseModel()
        model.out_trade_no = intent.out_trade_no
        try:
            self._execute(AlipayTradeCloseRequest(biz_model=model), AlipayTradeCloseResponse)
        except ProviderError as exc:
            # A trade the buyer never opened does not exist at the gateway: nothing to close.
            if exc.kind == ErrorKind.NOT_FOUND:
                return True
            raise
        return True
