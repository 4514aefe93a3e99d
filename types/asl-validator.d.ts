// asl-validator ships JavaScript without declarations; this is the part of its API we use.
declare module 'asl-validator' {
  export interface ValidationError {
    'Error code': string;
    Message: string;
  }
  export interface ValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  export default function aslValidator(definition: unknown, options?: ValidatorOptions): { isValid: boolean; errors: ValidationError[] };
}
