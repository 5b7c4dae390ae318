declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: { message?: string; 'Error code'?: string; path?: string }[];
  }
  function aslValidator(definition: unknown, options?: Record<string, unknown>): ValidationResult;
  export = aslValidator;
}
