module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  // Pages and utils keep module-level state (the shared login); every test starts from fresh modules.
  resetModules: true,
  // The device may be set to any time zone; formatting must not depend on it.
  globalSetup: '<rootDir>/tests/helpers/timezone.js',
  // ...nor on the day the suite happens to run.
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/clock.js'],
}
