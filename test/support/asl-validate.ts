// Every emitted definition goes through both validators users meet: asl-validator (the JSON
// Schema of the States language, with path and ARN checks) and AWS's own
// amazon-states-language-service, the validator behind the AWS Toolkit editors (it also checks
// that every Next and Default names a state and that every state is reachable).
import aslValidator from 'asl-validator';
import asl from 'amazon-states-language-service';

// A CommonJS package whose re-exports Node's ESM loader cannot name one by one.
const { getLanguageService, TextDocument } = asl as unknown as typeof import('amazon-states-language-service');
const ERROR = 1; // DiagnosticSeverity.Error
const service = getLanguageService({});

/** Problems both validators find, as readable strings; empty when the definition is valid. */
export async function validateAsl(definition: unknown): Promise<string[]> {
  const problems: string[] = [];
  const { isValid, errors } = aslValidator(definition as never, { checkPaths: true, checkArn: true });
  if (!isValid) problems.push(...errors.map((e) => `asl-validator: ${JSON.stringify(e)}`));
  const text = JSON.stringify(definition, null, 2);
  const document = TextDocument.create('inmemory://definition.asl.json', 'json', 1, text);
  const json = service.parseJSONDocument(document);
  const diagnostics = await service.doValidation(document, json);
  for (const d of diagnostics) {
    if (d.severity === ERROR) {
      const line = text.split('\n')[d.range.start.line]?.trim();
      problems.push(`amazon-states-language-service: ${d.message} (line ${d.range.start.line + 1}: ${line})`);
    }
  }
  return problems;
}
