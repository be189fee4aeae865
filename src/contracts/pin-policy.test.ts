import { describe, expect, it } from 'vitest';
import { ADMIN_PIN_MAX_LENGTH, ADMIN_PIN_MIN_LENGTH, adminPinProblem } from './pin-policy.js';

describe('admin PIN policy', () => {
  it('accepts PINs of the allowed length with no obvious pattern', () => {
    for (const pin of ['480317', '2468135790', '9'.repeat(ADMIN_PIN_MIN_LENGTH - 1) + '0', '135792468024'])
      expect(adminPinProblem(pin), pin).toBeNull();
  });

  it('refuses the wrong length or anything but digits', () => {
    for (const pin of [
      '',
      '4803',
      '48031',
      '4'.repeat(ADMIN_PIN_MAX_LENGTH) + '7',
      '48031a',
      ' 480317',
      '４８０３１７',
    ]) {
      expect(adminPinProblem(pin), pin).toMatch(/must be 6 to 12 digits/);
    }
  });

  it('refuses one digit repeated', () => {
    for (const pin of ['000000', '111111', '99999999'])
      expect(adminPinProblem(pin), pin).toMatch(/every digit is the same/);
  });

  it('refuses runs up or down', () => {
    for (const pin of ['123456', '012345', '654321', '3456789', '9876543210'])
      expect(adminPinProblem(pin), pin).toMatch(/count up or down/);
  });

  it('refuses a short group repeated', () => {
    for (const pin of ['121212', '123123', '12341234', '905905', '474747474747'])
      expect(adminPinProblem(pin), pin).toMatch(/repeats a short group/);
  });
});
