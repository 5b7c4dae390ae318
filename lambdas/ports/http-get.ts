/** One HTTP answer, read whole (OSV exports are fetched as files, not streamed into a parser). */
export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * Port: plain HTTP GET (the OSV export bucket). A network failure or a cut connection rejects;
 * a status is returned as it came, for the caller to judge.
 */
export interface HttpGet {
  get(url: string): Promise<HttpResponse>;
}
