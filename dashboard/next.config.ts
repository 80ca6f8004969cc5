import type { NextConfig } from "next";

// The page is rendered on each request from Postgres; nothing is
// prerendered with data, so the build needs no database.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  // pg is loaded by Node at run time rather than bundled (its optional
  // native bindings confuse the bundler).
  serverExternalPackages: ["pg"],
  // No images to optimise: keep the /_next/image endpoint out of use.
  images: { unoptimized: true },
};

export default nextConfig;
