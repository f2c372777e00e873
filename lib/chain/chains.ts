/**
 * Every EVM chain viem knows, by id. The list is large (about 750 chains, 340 KB), so it is
 * loaded on demand — a separate chunk in the browser — never imported at a module's top.
 */
import type { Chain } from "viem";

let byId: Promise<ReadonlyMap<number, Chain>> | undefined;

function chainTable(): Promise<ReadonlyMap<number, Chain>> {
  byId ??= import("viem/chains").then((all) => {
    const table = new Map<number, Chain>();
    for (const value of Object.values(all)) {
      const chain = value as Chain | undefined;
      if (chain && typeof chain === "object" && typeof chain.id === "number" && !table.has(chain.id))
        table.set(chain.id, chain);
    }
    return table;
  });
  return byId;
}

/** viem's definition of chain `id`, or undefined for a chain it does not list. */
export async function knownChain(id: number): Promise<Chain | undefined> {
  return (await chainTable()).get(id);
}

/** A chain's name for people ("Ethereum", "Base Sepolia"), or "chain <id>" when viem does not list it. */
export async function chainName(id: number): Promise<string> {
  return (await knownChain(id))?.name ?? `chain ${id}`;
}
