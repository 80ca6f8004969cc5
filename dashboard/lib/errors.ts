// What can go wrong between the page and Postgres, as codes the error page
// turns into a message.  Only the code reaches the browser (as the error's
// digest); the driver's own message, which may name hosts and roles, goes
// to the server's log.

export type DashboardErrorCode =
  | "db-unreachable"   // nothing answers at the configured address, or it refuses connections now
  | "db-auth"          // the server refused the role or its password
  | "db-missing"       // no such database
  | "extension-missing"
  | "permission"       // the role lacks a grant (see sql/reader_role.sql)
  | "query-failed";    // anything else a query raised

export const DIGEST_PREFIX = "HUBSPOT_DASHBOARD:";

export const ERROR_TEXT: Record<DashboardErrorCode, { title: string; detail: string }> = {
  "db-unreachable": {
    title: "The database cannot be reached",
    detail: "The dashboard could not connect to PostgreSQL. Check that the server is running and that DATABASE_URL (or PGHOST and PGPORT) points at it.",
  },
  "db-auth": {
    title: "The database refused the dashboard's login",
    detail: "Check the role and password in DATABASE_URL (or PGUSER and PGPASSWORD), and pg_hba.conf.",
  },
  "db-missing": {
    title: "The database does not exist",
    detail: "Check the database name in DATABASE_URL (or PGDATABASE).",
  },
  "extension-missing": {
    title: "hubspot_sync is not installed in this database",
    detail: "Run CREATE EXTENSION hubspot_sync in the database the dashboard reads (as a superuser), or point DATABASE_URL at the right database.",
  },
  permission: {
    title: "The dashboard's role may not read the metrics",
    detail: "Grant it the reader role: run dashboard/sql/reader_role.sql as a superuser, then GRANT hubspot_reader TO the dashboard's role.",
  },
  "query-failed": {
    title: "A metrics query failed",
    detail: "The server's log has the error. Reload the page to try again.",
  },
};

export class DashboardError extends Error {
  readonly code: DashboardErrorCode;
  readonly digest: string;

  constructor(code: DashboardErrorCode, cause?: unknown) {
    super(ERROR_TEXT[code].title, cause === undefined ? undefined : { cause });
    this.name = "DashboardError";
    this.code = code;
    // Next.js passes an error's digest to the error page as it is.
    this.digest = DIGEST_PREFIX + code;
  }
}

/** The error page's code for a digest, or null for any other error. */
export function codeFromDigest(digest: string | undefined): DashboardErrorCode | null {
  if (!digest?.startsWith(DIGEST_PREFIX)) return null;
  const code = digest.slice(DIGEST_PREFIX.length);
  return code in ERROR_TEXT ? (code as DashboardErrorCode) : null;
}

/** Classify an error thrown by node-postgres. */
export function classifyPgError(err: unknown): DashboardErrorCode {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? "";
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENOENT"].includes(code)) {
    return "db-unreachable";
  }
  // 57P01-57P03: admin shutdown, crash shutdown, cannot connect now
  if (code.startsWith("57P") || code.startsWith("08")) return "db-unreachable";
  if (code === "28P01" || code === "28000") return "db-auth";
  if (code === "3D000") return "db-missing";
  if (code === "42501") return "permission";
  if (/timeout expired|Connection terminated|connect(ion)? timeout/i.test(e?.message ?? "")) return "db-unreachable";
  return "query-failed";
}
