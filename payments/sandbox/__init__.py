"""A local Alipay gateway simulator, mounted under /payments/sandbox/ when
``settings.PAYMENTS_SANDBOX_ENABLED`` is true (development and tests only).

It speaks the gateway protocol the platform's AlipayProvider speaks to the real
Alipay: RSA2-signed requests in, RSA2-signed responses and notifications out, with
its own key pair that the platform is configured to trust as "Alipay's".
"""
