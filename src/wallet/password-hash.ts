/** Wallet login passwords: long enough to resist guessing, short enough that scrypt's input stays bounded. */
export const PASSWORD_CHARS_MIN = 8;
export const PASSWORD_CHARS_MAX = 128;
