import { RateLimiter } from './rate-limiter';

describe('predict rate limiter (token bucket per caller)', () => {
  it('allows the per-minute budget, then asks to wait, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    expect(limiter.take('a', 60)).toBe(0);
    expect(limiter.take('a', 1)).toBe(1);
    expect(limiter.take('b', 1)).toBe(0); // callers do not share a bucket
    now += 10_000;
    expect(limiter.take('a', 10)).toBe(0);
    expect(limiter.take('a', 5)).toBe(5);
  });
});
