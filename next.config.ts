import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // A second server (a diagnosis beside a running dev server) needs its own build folder; keep it under .next/.
  ...(process.env.MEDVAULT_NEXT_DIST_DIR ? { distDir: process.env.MEDVAULT_NEXT_DIST_DIR } : {}),
  // The Helia node and its libp2p stack run only in route handlers; bundling them breaks their native bits.
  // multiformats and the importer too: lib/storage/cid.ts must hash with the same copy Helia uses.
  serverExternalPackages: [
    "helia",
    "@helia/unixfs",
    "@helia/bitswap",
    "@helia/libp2p",
    "@helia/interface",
    "blockstore-fs",
    "datastore-fs",
    "libp2p",
    "@libp2p/tcp",
    "@libp2p/identify",
    "@chainsafe/libp2p-noise",
    "@chainsafe/libp2p-yamux",
    "@multiformats/multiaddr",
    "multiformats",
    "ipfs-unixfs-importer",
    "kubo-rpc-client",
  ],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
