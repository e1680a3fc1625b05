"""The payment services speak the providers' neutral terms, never Alipay's codes.

The Alipay provider (and the gateway simulator, which answers with Alipay's codes) turns
each error answer into an :class:`ErrorKind` and each ``trade_status`` into a
:class:`TradeStatus`; the ``payments/services/`` package acts on those alone.
"""

import ast
import importlib
import inspect
import pkgutil
import re

import pytest

from payments import services
from payments.providers import ErrorKind, ProviderError, TradeStatus
from payments.providers.alipay import TRADE_STATUS, error_kind
from payments.sandbox import gateway


@pytest.mark.parametrize(
    ("code", "sub_code", "kind"),
    [
        ("40004", "ACQ.TRADE_NOT_EXIST", ErrorKind.NOT_FOUND),
        ("40004", "ACQ.TRADE_HAS_SUCCESS", ErrorKind.ALREADY_PAID),
        ("40004", "ACQ.TRADE_HAS_CLOSE", ErrorKind.ALREADY_CLOSED),
        ("40004", "ACQ.CONTEXT_INCONSISTENT", ErrorKind.REJECTED),
        ("40004", "ACQ.TRADE_STATUS_ERROR", ErrorKind.REJECTED),
        ("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", ErrorKind.REJECTED),
        ("40004", "ACQ.REQUEST_AMOUNT_EXCEED", ErrorKind.REJECTED),
        ("40004", "ACQ.SELLER_BALANCE_NOT_ENOUGH", ErrorKind.REJECTED),
        ("20000", "isp.unknow-error", ErrorKind.UNAVAILABLE),
        ("40001", "isv.missing-signature", ErrorKind.UNAVAILABLE),
        ("40002", "isv.invalid-signature", ErrorKind.UNAVAILABLE),
        ("40002", "isv.invalid-app-id", ErrorKind.UNAVAILABLE),
        ("40003", "isv.insufficient-isv-permissions", ErrorKind.UNAVAILABLE),
        ("", "", ErrorKind.UNAVAILABLE),
    ],
)
def test_each_alipay_error_code_maps_to_its_neutral_kind(code, sub_code, kind):
    assert error_kind(code, sub_code) == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (gateway.business("ACQ.TRADE_NOT_EXIST", "交易不存在"), ErrorKind.NOT_FOUND),
        (gateway.business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"), ErrorKind.ALREADY_PAID),
        (gateway.business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"), ErrorKind.ALREADY_CLOSED),
        (gateway.business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改"), ErrorKind.REJECTED),
        (gateway.business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限"), ErrorKind.REJECTED),
        (gateway.invalid("isv.invalid-signature", "验签出错"), ErrorKind.UNAVAILABLE),
        (gateway.missing("isv.missing-app-id", "缺少appId参数"), ErrorKind.UNAVAILABLE),
    ],
    ids=lambda value: getattr(value, "sub_code", str(value)),
)
def test_the_simulators_error_answers_map_like_alipays(error, kind):
    """The simulator answers with the codes Alipay uses, so the sandbox variant gets the same kinds."""
    assert error_kind(error.code, error.sub_code) == kind


@pytest.mark.parametrize(
    ("alipay_status", "status"),
    [
        ("WAIT_BUYER_PAY", TradeStatus.PENDING),
        ("TRADE_SUCCESS", TradeStatus.PAID),
        ("TRADE_FINISHED", TradeStatus.PAID),
        ("TRADE_CLOSED", TradeStatus.CLOSED),
    ],
)
def test_each_alipay_trade_status_maps_to_a_neutral_status(alipay_status, status):
    assert TRADE_STATUS[alipay_status] is status


def test_only_an_unavailable_gateway_is_not_a_refusal():
    assert not ProviderError("timeout").refused
    assert ProviderError("timeout").kind is ErrorKind.UNAVAILABLE
    for kind in set(ErrorKind) - {ErrorKind.UNAVAILABLE}:
        assert ProviderError("no", kind=kind).refused
    with pytest.raises(ValueError):
        ProviderError("no", kind="40004")


def test_payment_services_contain_no_alipay_code_or_string():
    modules = [services] + [
        importlib.import_module(f"{services.__name__}.{info.name}")
        for info in pkgutil.iter_modules(services.__path__)
    ]
    assert len(modules) > 1  # the package and every module in it
    source = "\n".join(inspect.getsource(module) for module in modules)
    assert "ACQ." not in source
    assert "40004" not in source
    assert not re.search("alipay", source, re.IGNORECASE)
    # Trade states are compared through TradeStatus, never as bare strings.
    literals = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not literals & {"paid", "pending", "closed", "not_found", "TRADE_SUCCESS", "WAIT_BUYER_PAY"}
