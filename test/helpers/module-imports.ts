/**
 * The module specifiers a TypeScript file imports or re-exports (static, type-only and dynamic `import()`), as the
 * TypeScript compiler's own scanner reads them: comments and strings that merely look like imports are not imports.
 */
import ts from 'typescript';

export function importsIn(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}
