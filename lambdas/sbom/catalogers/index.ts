import type { Cataloger } from '../cataloger';
import { apkCataloger } from './apk';
import { dotnetCataloger } from './dotnet';
import { dpkgCataloger } from './dpkg';
import { golangCataloger } from './golang';
import { javaCataloger } from './java';
import { npmCataloger } from './npm';
import { phpCataloger } from './php';
import { pythonCataloger } from './python';
import { rpmCataloger } from './rpm';
import { rubyCataloger } from './ruby';
import { rustCataloger } from './rust';

/**
 * Every package cataloger, one folder per ecosystem (`<ecosystem>/index.ts` exports the
 * cataloger; parser, purl builder, fixtures and tests sit beside it). The engine asks each
 * one's `wants` for every file of every layer; no two catalogers want the same path. Catalogers
 * with a `content` matcher (Go, Rust executables) are also offered files no one wants.
 * os-release is not a package cataloger: the engine reads it with `./os-release`.
 */
export const catalogers: readonly Cataloger[] = [dpkgCataloger, apkCataloger, npmCataloger, pythonCataloger, rpmCataloger, javaCataloger, rubyCataloger, phpCataloger, dotnetCataloger, golangCataloger, rustCataloger];

export { apkCataloger, dotnetCataloger, dpkgCataloger, golangCataloger, javaCataloger, npmCataloger, phpCataloger, pythonCataloger, rpmCataloger, rubyCataloger, rustCataloger };
export { OS_RELEASE_PATHS, parseOsRelease, type OsRelease } from '../os-release';
