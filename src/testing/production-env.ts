/** Every setting `furikae serve` needs, set to values that are not the demo's (the SMS gateway is overridden where one runs). */
export const PRODUCTION_ENV = {
  FURIKAE_CREDENTIAL_KEY: 'production-credential-key-0123456789abcdef',
  FURIKAE_NOT_ME_KEY: 'production-not-me-key-0123456789abcdef0123',
  FURIKAE_AUDIT_KEY: 'production-audit-key-0123456789abcdef01234',
  FURIKAE_PUBLIC_URL: 'https://bank.example',
  SMS_GATEWAY_URL: 'https://sms.example/v1/messages',
  SMS_GATEWAY_TOKEN: 'sms-gateway-token',
} as const;
