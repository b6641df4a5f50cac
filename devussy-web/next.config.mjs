/** Static export: `next build` writes `out/`, which dev_server.py and the serverless host serve as is. */
const nextConfig = {
  output: 'export',
  reactStrictMode: true,
  trailingSlash: false,
  images: { unoptimized: true },
  poweredByHeader: false,
};

export default nextConfig;
