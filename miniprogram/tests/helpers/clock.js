// Pages format dates relative to "now" (the year is shown only when it is not the current one) and the
// sign-up window depends on it, so every test runs at one fixed instant: 2026-11-25 12:00 in Shanghai.
// Only Date is faked; timers stay real because the fake wx answers on later macrotasks.
jest.useFakeTimers({
  now: new Date('2026-11-25T12:00:00+08:00'),
  doNotFake: [
    'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
    'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval',
    'clearInterval', 'setTimeout', 'clearTimeout',
  ],
})
