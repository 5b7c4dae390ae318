/**
 * What a cataloger reports: a package as its ecosystem's metadata describes it, before the
 * image context (OS identity, layer) is known. Purls are built later from these fields.
 */
export interface CatalogedPackage {
  /** Ecosystem key, equal to the cataloger's name (`dpkg`, `apk`, `npm`, `python`, ...). */
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  /** purl namespace where the ecosystem has one (npm scope without `@`, maven group). */
  readonly namespace?: string;
  /** Machine architecture for OS packages (`amd64`, `x86_64`, `all`, ...). */
  readonly arch?: string;
  /** Source package for OS packages when it differs from `name` (dpkg `Source:`, apk `o:`). */
  readonly sourceName?: string;
  /** Source package version when it differs from `version` (dpkg `Source: name (version)`). */
  readonly sourceVersion?: string;
  /** Declared licences: SPDX ids or expressions where the metadata gives them, else free text. */
  readonly licenses: readonly string[];
  /** Cataloger-specific facts worth keeping (maintainer, homepage, ...), string values only. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * What the SBOM writers call the component when it is not a library: a Helm chart
   * (`application`), a container image a chart deploys (`container`), an opaque file (`file`).
   */
  readonly componentType?: ComponentType;
  /** Content hashes, for components that are a file (`file` components, single-file artifacts). */
  readonly hashes?: readonly ComponentHash[];
  /**
   * Facts the SBOM writers publish as CycloneDX properties, named `artifact-guard:<key>` (the
   * image reference and whether it is pinned by digest, a chart's appVersion…). Facts for
   * machines (a gate reads them); `metadata` stays internal.
   */
  readonly properties?: Readonly<Record<string, string>>;
}

/** CycloneDX component types used besides the default `library`. */
export type ComponentType = 'library' | 'application' | 'container' | 'file';

export interface ComponentHash {
  readonly alg: 'SHA-256' | 'SHA-512';
  /** Lowercase hex. */
  readonly content: string;
}

/**
 * What a warning may have cost the SBOM. `inventory`: packages or versions may be missing (a
 * file not read, a stanza skipped, a parser that failed). `metadata`: only facts about packages
 * that are listed anyway (licences, copyright) or nothing at all. Mark `metadata` only where a
 * warning provably cannot hide a package or a version: an unmarked warning counts as `inventory`.
 */
export type WarningImpact = 'inventory' | 'metadata';

/** A problem found while cataloging that did not stop the SBOM (a corrupt file, a skipped entry). */
export interface CatalogWarning {
  readonly path: string;
  readonly message: string;
  /** Absent means `inventory` (fail closed); see {@link WarningImpact}. */
  readonly impact?: WarningImpact;
}

/**
 * Licences a file declares for a package that is cataloged from a different file. Debian's dpkg
 * status carries no licences; they live in `usr/share/doc/<package>/copyright`, which the dpkg
 * cataloger parses into one fact per file (`packageName` is the `<package>` directory name).
 * The engine attaches `licenses` to every cataloged package of the same ecosystem whose `name`
 * equals `packageName` (all architectures), after the image's layers are merged, so it works
 * whichever layer or order the two files come from. Facts naming no cataloged package are dropped.
 */
export interface LicenseFact {
  readonly packageName: string;
  readonly licenses: readonly string[];
}

export interface ParseResult {
  readonly packages: readonly CatalogedPackage[];
  readonly warnings: readonly CatalogWarning[];
  /** Licences for packages cataloged elsewhere (see {@link LicenseFact}); only the dpkg cataloger returns these today. */
  readonly licenseFacts?: readonly LicenseFact[];
}

/** Image-wide facts a purl builder may need. */
export interface PurlContext {
  /** OS identity from os-release: `ID` (e.g. `debian`, `alpine`) and `VERSION_ID`. */
  readonly os?: { readonly id: string; readonly versionId?: string; readonly versionCodename?: string };
}

/**
 * Files found by what they contain rather than where they are (Go and Rust executables, which
 * live anywhere). For a regular file that no cataloger `wants`, the engine asks `candidate`
 * (entry metadata only: keep it to a bit test or a suffix check); for a candidate it buffers the
 * first `headBytes` bytes and asks `inspect`; only an accepted file is buffered whole, and only
 * when it fits `maxFileSize`. Several catalogers may accept the same file: it is buffered once,
 * each one parses it, and their packages are kept together under that path.
 */
export interface ContentMatcher {
  /** Cheap pre-filter on entry metadata: `mode` holds the permission bits (0 when unknown). */
  candidate(path: string, mode: number): boolean;
  /** Leading bytes `inspect` needs (fewer when the file is shorter). */
  readonly headBytes: number;
  /**
   * Decides from the leading bytes: `true` to read and parse the whole file, `false` to skip it
   * silently, or a message to skip it with that warning (a recognised format this cataloger
   * cannot read, for instance).
   */
  inspect(head: Buffer, path: string, size: number): boolean | string;
}

/**
 * One ecosystem's cataloger. It names the paths it wants (image-root-relative, no leading `/`),
 * parses one file's bytes at a time, and turns its packages into purls.
 * Parsers must never throw or reject on bad input: they return warnings instead. A parser that
 * needs asynchronous work (zip streams, a WASM module) returns a promise; the engine pauses
 * the layer stream until it settles, so one layer still holds at most one buffered file.
 */
export interface Cataloger {
  readonly name: string;
  /** True when the file at this path should be read and handed to `parse`. Called for every file of every layer: keep it cheap. */
  wants(path: string): boolean;
  /** Largest file this cataloger reads (bytes, at most `LARGE_FILE_BUDGET`, 48 MiB: see buffer-budget.ts); bigger files are skipped with a warning. */
  readonly maxFileSize: number;
  /** Optional: files this cataloger recognises by content (see {@link ContentMatcher}). */
  readonly content?: ContentMatcher;
  parse(path: string, content: Buffer): ParseResult | Promise<ParseResult>;
  purl(pkg: CatalogedPackage, ctx: PurlContext): string;
}

/** A cataloger whose parser is synchronous (most are); tests can use its result directly. */
export interface SyncCataloger extends Cataloger {
  parse(path: string, content: Buffer): ParseResult;
}

/** A cataloger whose parser is asynchronous (zip archives, sqlite). */
export interface AsyncCataloger extends Cataloger {
  parse(path: string, content: Buffer): Promise<ParseResult>;
}
