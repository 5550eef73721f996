/** Unit tests drive the real node classes against the emulators over real HTTP. */
module.exports = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
	testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
	testTimeout: 60_000,
};
