export { OS_RELEASE_PATHS, parseOsRelease, parseOsReleaseFields, unquoteShellValue, type OsRelease } from './parse-os-release';
