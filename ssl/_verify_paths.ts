// OpenSSL's default verify paths, as CPython's set_default_verify_paths() (and through it
// load_default_certs() and create_default_context()) gets them: the SSL_CERT_FILE and
// SSL_CERT_DIR environment variables name a CA file and CA directories that are trusted on top
// of the default roots. Deno's roots stand for OpenSSL's default file and directory.
import { fromDenoError } from "../_core/errors.ts";
import { pemCertificates } from "./_certificate.ts";

/** OpenSSL's variable naming a PEM file of trusted CAs. */
export const CERT_FILE_ENV = "SSL_CERT_FILE";
/** OpenSSL's variable naming directories (':'-separated) of trusted CA files. */
export const CERT_DIR_ENV = "SSL_CERT_DIR";

/**
 * The variable's value when the program may read it (`--allow-env`), else `null`: pynet never
 * prompts for it, and without the permission behaves as if it were unset (see ssl/mod.ts).
 */
function envValue(name: string): string | null {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return null;
    }
    return Deno.env.get(name) || null;
  } catch {
    return null;
  }
}

/**
 * Runs `read`; a path that is missing or unreadable counts as empty, as OpenSSL ignores it,
 * but a path Deno's permissions refuse raises `PermissionError` naming the flag to add.
 */
function orEmpty<T>(read: () => T[]): T[] {
  try {
    return read();
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || (e as Error)?.name === "NotCapable") {
      throw fromDenoError(e);
    }
    return [];
  }
}

/** The CA certificates (PEM) that SSL_CERT_FILE and SSL_CERT_DIR name, if readable. */
export function defaultVerifyCerts(): string[] {
  const found: string[] = [];
  const file = envValue(CERT_FILE_ENV);
  if (file) found.push(...orEmpty(() => pemCertificates(Deno.readTextFileSync(file))));
  const dirs = envValue(CERT_DIR_ENV);
  for (const dir of dirs ? dirs.split(":") : []) {
    if (!dir) continue;
    const files = orEmpty(() => [...Deno.readDirSync(dir)].filter((e) => !e.isDirectory));
    for (const entry of files) {
      found.push(...orEmpty(() => pemCertificates(Deno.readTextFileSync(`${dir}/${entry.name}`))));
    }
  }
  return found;
}
