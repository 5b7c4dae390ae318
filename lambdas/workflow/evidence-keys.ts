/** Where a digest's evidence lives in the evidence store (the S3 bucket, or the local home). */
export function evidencePrefix(repositoryName: string, digest: string): string {
  return `evidence/${repositoryName}/${digest.replace(':', '-')}`;
}
