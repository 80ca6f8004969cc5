"use client";

// Shown when the page cannot be rendered: the database is down, the
// extension is missing, the role lacks a grant.  The server answers with
// status 500; only the error's code reaches the browser, the details are
// in the server's log.

import { DatabaseZap } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ERROR_TEXT, codeFromDigest } from "@/lib/errors";

export default function ErrorPage({ error }: { error: Error & { digest?: string } }) {
  const code = codeFromDigest(error.digest);
  const text = code ? ERROR_TEXT[code] : {
    title: "The dashboard could not be shown",
    detail: "Something went wrong while building the page; the server's log has the details.",
  };
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-xl flex-col items-start justify-center gap-4 px-6"
      data-testid="error-page" data-error-code={code ?? "unknown"}>
      <DatabaseZap className="size-10 text-destructive" aria-hidden />
      <h1 className="text-2xl font-semibold tracking-tight">{text.title}</h1>
      <p className="text-muted-foreground">{text.detail}</p>
      <Button onClick={() => window.location.reload()}>Try again</Button>
    </main>
  );
}
