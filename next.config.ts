import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The Helia node and its libp2p stack run only in route handlers; bundling them breaks their native bits.
  serverExternalPackages: ["helia", "@helia/unixfs", "blockstore-fs", "datastore-fs", "libp2p", "@libp2p/tcp", "kubo-rpc-client"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
