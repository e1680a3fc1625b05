"""The simulator's protocol: check a signed request, act on it, answer as Alipay does.

Error answers follow Alipay's public error codes: ``40001`` for a missing parameter,
``40002`` for an invalid one (``isv.invalid-signature`` for a bad signature),
``40004`` with an ``ACQ.*`` sub-code for business failures. API answers are
``{"<method>_response": {...}, "sign": "..."}`` signed over the exact text of the
inner object with the simulator's key; a request that names no method gets
``error_response``.
"""

import json
import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.money import CENT, gateway_amount, parse_gateway_amount

from . import signing
from .models import SandboxNotification, SandboxRefund, SandboxTrade

PAGE_METHODS = {"alipay.trade.page.pay", "alipay.trade.wap.pay"}
API_METHODS = {"alipay.trade.precreate", "alipay.trade.query", "alipay.trade.refund", "alipay.trade.close"}


class GatewayError(Exception):
    def __init__(self, code, msg, sub_code, sub_msg):
        super().__init__(f"{code} {sub_code} {sub_msg}")
        self.code, self.msg, self.sub_code, self.sub_msg = code, msg, sub_code, sub_msg

    def as_dict(self):
        return {"code": self.code, "msg": self.msg, "sub_code": self.sub_code, "sub_msg": self.sub_msg}


def missing(sub_code, sub_msg):
    return GatewayError("40001", "Missing Required Arguments", sub_code, sub_msg)


def invalid(sub_code, sub_msg):
    return GatewayError("40002", "Invalid Arguments", sub_code, sub_msg)


def business(sub_code, sub_msg):
    return GatewayError("40004", "Business Failed", sub_code, sub_msg)


def signed_body(method, payload):
    """The JSON text Alipay answers with, signed over the inner object's exact text."""
    key = (method.replace(".", "_") if method in PAGE_METHODS | API_METHODS else "error") + "_response"
    inner = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f'{{"{key}":{inner},"sign":"{signing.sign_text(inner)}"}}'


def site_url(path):
    return settings.PAYMENTS_SITE_URL.rstrip("/") + path


def authenticate(params):
    """Check the common parameters and the merchant's RSA2 signature; return biz_content."""
    method = params.get("method", "")
    if not method:
        raise missing("isv.missing-method", "缺少方法名参数")
    if method not in PAGE_METHODS | API_METHODS:
        raise invalid("isv.invalid-method", "不存在的方法名")
    app_id = params.get("app_id", "")
    if not app_id:
        raise missing("isv.missing-app-id", "缺少appId参数")
    public_key = signing.merchant_public_key(app_id)
    if public_key is None:
        raise invalid("isv.invalid-app-id", "无效的AppID参数")
    if not params.get("sign"):
        raise missing("isv.missing-signature", "缺少签名参数")
    if not params.get("sign_type"):
        raise missing("isv.missing-signature-type", "缺少签名类型参数")
    if params["sign_type"] != "RSA2":
        raise invalid("isv.invalid-signature-type", "无效的签名类型")
    if not signing.verify_request(params, public_key):
        raise invalid("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
    try:
        datetime.strptime(params.get("timestamp", ""), "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise invalid("isv.invalid-timestamp", "非法的时间戳参数") from exc
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except json.JSONDecodeError as exc:
        raise invalid("isv.invalid-parameter", "biz_content 不是合法的 JSON") from exc
    if not isinstance(biz, dict):
        raise invalid("isv.invalid-parameter", "biz_content 不是合法的 JSON")
    return method, app_id, biz


# Alipay's range for one trade's amount, in yuan.
MAX_AMOUNT = Decimal("100000000")


def _amount(text, field="total_amount"):
    try:
        value = parse_gateway_amount(str(text))
    except ValueError as exc:
        raise invalid("isv.invalid-parameter", f"参数 {field} 不合法") from exc
    if not CENT <= value <= MAX_AMOUNT:
        raise invalid("isv.invalid-parameter", f"参数 {field} 超出范围")
    return value


def _time_expire(text):
    if not text:
        return None
    try:
        naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise invalid("isv.invalid-parameter", "参数 time_expire 不合法") from exc
    return timezone.make_aware(naive, timezone.get_default_timezone())


def open_trade(method, app_id, biz, params):
    """Create the trade a page/wap/precreate request describes, or reuse the same one."""
    out_trade_no = biz.get("out_trade_no", "")
    if not out_trade_no:
        raise missing("isv.missing-parameter", "缺少必选参数 out_trade_no")
    if not biz.get("subject"):
        raise missing("isv.missing-parameter", "缺少必选参数 subject")
    amount = _amount(biz.get("total_amount"))
    fields = {
        "method": method,
        "product_code": biz.get("product_code", ""),
        "subject": biz["subject"][:256],
        "total_amount": amount,
        "notify_url": params.get("notify_url", ""),
        "return_url": params.get("return_url", ""),
        "time_expire": _time_expire(biz.get("time_expire")),
    }
    with transaction.atomic():
        trade = (
            SandboxTrade.objects.select_for_update().filter(app_id=app_id, out_trade_no=out_trade_no).first()
        )
        if trade is None:
            try:
                with transaction.atomic():
                    return SandboxTrade.objects.create(app_id=app_id, out_trade_no=out_trade_no, **fields)
            except IntegrityError:
                trade = SandboxTrade.objects.select_for_update().get(app_id=app_id, out_trade_no=out_trade_no)
        trade.expire_if_due()
        if trade.total_amount != amount or trade.subject != fields["subject"]:
            raise business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        if trade.status in (SandboxTrade.Status.TRADE_SUCCESS, SandboxTrade.Status.TRADE_FINISHED):
            raise business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
        if trade.status == SandboxTrade.Status.TRADE_CLOSED:
            raise business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
        for name, value in fields.items():
            setattr(trade, name, value)
        trade.save()
        return trade


def _find_trade(app_id, biz, lock=False):
    out_trade_no, trade_no = biz.get("out_trade_no", ""), biz.get("trade_no", "")
    if not out_trade_no and not trade_no:
        raise missing("isv.missing-parameter", "out_trade_no 和 trade_no 不能同时为空")
    queryset = SandboxTrade.objects.filter(app_id=app_id)
    if lock:
        queryset = queryset.select_for_update()
    queryset = (
        queryset.filter(out_trade_no=out_trade_no) if out_trade_no else queryset.filter(trade_no=trade_no)
    )
    trade = queryset.first()
    if trade is None:
        raise business("ACQ.TRADE_NOT_EXIST", "交易不存在")
    return trade.expire_if_due()


def api(method, app_id, biz, params):
    """Answer a server-to-server call; returns the payload of ``<method>_response``."""
    ok = {"code": "10000", "msg": "Success"}
    if method == "alipay.trade.precreate":
        trade = open_trade(method, app_id, biz, params)
        qr = site_url(reverse("payments:sandbox:cashier", args=[trade.token]))
        return {**ok, "out_trade_no": trade.out_trade_no, "qr_code": qr}
    if method == "alipay.trade.query":
        trade = _find_trade(app_id, biz)
        payload = {
            **ok,
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "trade_status": trade.status,
            "total_amount": gateway_amount(trade.total_amount),
            "buyer_logon_id": trade.buyer_logon_id,
        }
        if trade.paid_at:
            payload.update(
                buyer_pay_amount=gateway_amount(trade.total_amount),
                receipt_amount=gateway_amount(trade.total_amount),
                send_pay_date=timezone.localtime(trade.paid_at).strftime("%Y-%m-%d %H:%M:%S"),
                buyer_user_id=trade.buyer_id,
            )
        return payload
    if method == "alipay.trade.close":
        with transaction.atomic():
            trade = _find_trade(app_id, biz, lock=True)
            if (
                trade.status != SandboxTrade.Status.WAIT_BUYER_PAY
                and trade.status != SandboxTrade.Status.TRADE_CLOSED
            ):
                raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            trade.status = SandboxTrade.Status.TRADE_CLOSED
            trade.save(update_fields=["status"])
        return {**ok, "out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no}
    if method == "alipay.trade.refund":
        return refund(app_id, biz)
    raise invalid("isv.invalid-method", "不存在的方法名")


def refund(app_id, biz):
    amount = _amount(biz.get("refund_amount"), "refund_amount")
    out_request_no = biz.get("out_request_no") or biz.get("out_trade_no") or biz.get("trade_no")
    with transaction.atomic():
        trade = _find_trade(app_id, biz, lock=True)
        existing = trade.refunds.filter(out_request_no=out_request_no).first()
        fund_change = "N"
        if existing is not None:
            if existing.refund_amount != amount:
                raise business("ACQ.REQUEST_AMOUNT_EXCEED", "同一笔退款请求的金额与之前不一致")
        else:
            paid_or_refunded = trade.paid_at is not None
            if not paid_or_refunded:
                raise business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            if trade.refunded_total + amount > trade.total_amount:
                raise business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            SandboxRefund.objects.create(
                trade=trade,
                out_request_no=out_request_no,
                refund_amount=amount,
                refund_reason=biz.get("refund_reason", ""),
            )
            fund_change = "Y"
            if trade.refunded_total == trade.total_amount:
                trade.status = SandboxTrade.Status.TRADE_CLOSED
                trade.save(update_fields=["status"])
    return {
        "code": "10000",
        "msg": "Success",
        "out_trade_no": trade.out_trade_no,
        "trade_no": trade.trade_no,
        "buyer_logon_id": trade.buyer_logon_id,
        "buyer_user_id": trade.buyer_id,
        "fund_change": fund_change,
        "refund_fee": gateway_amount(trade.refunded_total),
        "gmt_refund_pay": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
    }


def _now_text():
    return timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")


def pay(trade):
    """The buyer pays: the trade succeeds and a signed TRADE_SUCCESS notification is queued."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().get(pk=trade.pk)
        trade.expire_if_due()
        if trade.status != SandboxTrade.Status.WAIT_BUYER_PAY:
            return trade, None
        trade.status = SandboxTrade.Status.TRADE_SUCCESS
        trade.paid_at = timezone.now()
        trade.save(update_fields=["status", "paid_at"])
        notification = None
        if trade.notify_url:
            notification = SandboxNotification.objects.create(
                trade=trade, notify_id=secrets.token_hex(16), url=trade.notify_url, body=""
            )
            notification.body = notification_body(trade, notification.notify_id)
            notification.save(update_fields=["body"])
    return trade, notification


def notification_params(trade, notify_id):
    amount = gateway_amount(trade.total_amount)
    params = {
        "notify_time": _now_text(),
        "notify_type": "trade_status_sync",
        "notify_id": notify_id,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "app_id": trade.app_id,
        "auth_app_id": trade.app_id,
        "seller_id": settings.PAYMENTS_SANDBOX_SELLER_ID,
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "subject": trade.subject,
        "buyer_id": trade.buyer_id,
        "buyer_logon_id": trade.buyer_logon_id,
        "trade_status": trade.status,
        "total_amount": amount,
        "receipt_amount": amount,
        "invoice_amount": amount,
        "buyer_pay_amount": amount,
        "point_amount": "0.00",
        "fund_bill_list": json.dumps(
            [{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
        ),
        "gmt_create": timezone.localtime(trade.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "gmt_payment": timezone.localtime(trade.paid_at).strftime("%Y-%m-%d %H:%M:%S"),
    }
    params["sign"] = signing.sign_params(params)
    return params


def notification_body(trade, notify_id):
    from urllib.parse import urlencode

    return urlencode(notification_params(trade, notify_id))


def return_params(trade):
    """The signed synchronous parameters appended to return_url (never proof of payment)."""
    params = {
        "charset": "utf-8",
        "out_trade_no": trade.out_trade_no,
        "method": trade.method + ".return",
        "total_amount": gateway_amount(trade.total_amount),
        "trade_no": trade.trade_no,
        "auth_app_id": trade.app_id,
        "version": "1.0",
        "app_id": trade.app_id,
        "sign_type": "RSA2",
        "seller_id": settings.PAYMENTS_SANDBOX_SELLER_ID,
        "timestamp": _now_text(),
    }
    params["sign"] = signing.sign_params(params)
    return params
