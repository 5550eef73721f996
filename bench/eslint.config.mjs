// Tests, emulators, scripts and benchmarks are linted by the project's dev config (see there).
export { default } from '../eslint.dev.config.mjs';
