// gaierror and herror with glibc's messages, and the PermissionError of a missing Deno
// permission: every step of name resolution (files, DNS, getaddrinfo) raises these.
import { fromDenoError, gaierror, herror, PermissionError } from "../_core/errors.ts";
import {
  EAI_ADDRFAMILY,
  EAI_AGAIN,
  EAI_BADFLAGS,
  EAI_FAIL,
  EAI_FAMILY,
  EAI_MEMORY,
  EAI_NODATA,
  EAI_NONAME,
  EAI_OVERFLOW,
  EAI_SERVICE,
  EAI_SOCKTYPE,
  EAI_SYSTEM,
} from "./_constants.ts";

/** glibc's gai_strerror() texts. */
const GAI_MESSAGES: ReadonlyMap<number, string> = new Map([
  [EAI_BADFLAGS, "Bad value for ai_flags"],
  [EAI_NONAME, "Name or service not known"],
  [EAI_AGAIN, "Temporary failure in name resolution"],
  [EAI_FAIL, "Non-recoverable failure in name resolution"],
  [EAI_NODATA, "No address associated with hostname"],
  [EAI_FAMILY, "ai_family not supported"],
  [EAI_SOCKTYPE, "ai_socktype not supported"],
  [EAI_SERVICE, "Servname not supported for ai_socktype"],
  [EAI_ADDRFAMILY, "Address family for hostname not supported"],
  [EAI_MEMORY, "Memory allocation failure"],
  [EAI_SYSTEM, "System error"],
  [EAI_OVERFLOW, "Argument buffer overflow"],
]);

/** The gaierror for an `EAI_*` code, with glibc's message. */
export function gai(code: number, cause?: unknown): gaierror {
  return new gaierror(code, GAI_MESSAGES.get(code) ?? "Unknown error", { cause });
}

/** h_errno `HOST_NOT_FOUND`: the name is unknown. */
export const HOST_NOT_FOUND = 1;
/** h_errno `TRY_AGAIN`: no answer now (a DNS timeout). */
export const TRY_AGAIN = 2;
/** h_errno `NO_RECOVERY`: a lookup that cannot succeed. */
export const NO_RECOVERY = 3;
/** glibc's hstrerror() texts, by h_errno. */
const H_MESSAGES = [
  "Resolver Error 0 (no error)",
  "Unknown host",
  "Host name lookup failure",
  "Unknown server error",
  "No address associated with name",
];

/** The herror for an h_errno code, with glibc's message. */
export function herr(code: number, cause?: unknown): herror {
  return new herror(code, H_MESSAGES[code] ?? "Unknown resolver error", { cause });
}

/** A DNS query that could not be answered now (timeout, unreachable server). */
export class TemporaryFailure extends Error {}

/** The PermissionError Deno would raise for a missing `--allow-<kind>=<target>`, without asking. */
export function missingPermission(kind: string, target: string): PermissionError {
  return fromDenoError(
    new Deno.errors.NotCapable(
      `Requires ${kind} access to "${target}", run again with the --allow-${kind} flag`,
    ),
  ) as PermissionError;
}

/** Whether `e` is the PermissionError of a missing Deno permission (not an OS refusal). */
export function isMissingPermission(e: unknown): boolean {
  return e instanceof PermissionError && e.cause instanceof Deno.errors.NotCapable;
}
