import type { BurstSettings } from './sections/bursts';
import type { CapacitySettings } from './sections/capacity';
import type { ColdStartSettings } from './sections/cold-start';
import type { CostSettings } from './sections/cost';
import type { FanOutSettings } from './sections/fan-out';
import type { LargeFanOutSettings } from './sections/large-fan-out';
import type { PeerSettings } from './sections/peers';
import type { SoakSettings } from './sections/soak';

export interface BenchSettings {
  fanOut: FanOutSettings;
  cost: CostSettings;
  coldStart: ColdStartSettings;
  capacity: CapacitySettings;
  peers: PeerSettings;
  soak: SoakSettings;
  largeFanOut: LargeFanOutSettings;
  bursts: BurstSettings;
}

/** Sizes for the full run (about 45 minutes on 2 cores, half of it the soak) and for `--quick` (about a minute). */
export function settingsFor(quick: boolean): BenchSettings {
  const latencyMs = 20;
  const concurrency = Number(process.env.FAN_OUT_CONCURRENCY ?? 50);
  return quick
    ? {
        fanOut: { sizes: [100, 200], repetitions: 1, latencyMs, concurrency, sequentialMax: 100 },
        cost: { publishSizes: [0, 100], roomSize: 5, disconnectTopics: [0, 3], feedCharacters: 100 },
        coldStart: { runs: 1 },
        capacity: { idleMilestones: [100], chatClients: 50, chatRates: [10, 30], stepMs: 1000, pauseMs: 500 },
        peers: { clients: 0, runs: 0 },
        soak: { cycles: 300, warmUp: 50, concurrency: 10, samples: 1 },
        largeFanOut: {
          simulatedSizes: [1000, 10_000, 100_000],
          validationSize: 0,
          calibrationSize: 0,
          repetitions: 1,
          largestLocal: 0,
          latencyMs,
        },
        bursts: burstSettings(process.env.BURST_USERS ?? '200x50', process.env.BURST_ROOMS ?? '10,100', 2, 100),
      }
    : {
        fanOut: { sizes: [100, 1000, 2000], repetitions: 3, latencyMs, concurrency, sequentialMax: 2000 },
        cost: { publishSizes: [0, 100, 1000], roomSize: 20, disconnectTopics: [0, 5, 100], feedCharacters: 1000 },
        coldStart: { runs: 10 },
        capacity: {
          idleMilestones: [1000, 2500, 5000],
          chatClients: 50,
          chatRates: [10, 20, 30, 50, 100, 200, 400, 800, 1600],
          stepMs: 3000,
          pauseMs: 1500,
        },
        peers: { clients: Number(process.env.PEER_CLIENTS ?? 1000), runs: 5 },
        soak: { cycles: Number(process.env.SOAK_CYCLES ?? 10_000), warmUp: 200, concurrency: 10, samples: 4 },
        largeFanOut: {
          simulatedSizes: [1000, 10_000, 100_000, 1_000_000],
          validationSize: 2000,
          calibrationSize: 500,
          repetitions: 3,
          largestLocal: Number(process.env.LARGE_FAN_OUT_LOCAL ?? 10_000),
          latencyMs,
        },
        bursts: burstSettings(
          process.env.BURST_USERS ?? '1000x100,5000x100',
          process.env.BURST_ROOMS ?? '10,100,1000',
          3,
        ),
      };
}

/**
 * Bursts as `USERSxBATCH` separated by commas, e.g. `1000x100,5000x100` (`BURST_USERS` overrides the default), and
 * room sizes separated by commas (`BURST_ROOMS`).
 */
export function burstSettings(bursts: string, rooms: string, joinsPerRoom: number, warmUpUsers = 300): BurstSettings {
  const roomSizes = rooms.split(',').map(Number);
  if (roomSizes.some((size) => !Number.isInteger(size) || size < 1))
    throw new Error(`room sizes are whole numbers separated by commas; got "${rooms}"`);
  return {
    bursts: bursts.split(',').map((spec) => {
      const [users, batch] = spec.trim().split('x').map(Number);
      if (!Number.isInteger(users) || !Number.isInteger(batch) || (users as number) < 1 || (batch as number) < 1)
        throw new Error(`a burst is USERSxBATCH, e.g. 1000x100; got "${spec}"`);
      return { users: users as number, batch: batch as number };
    }),
    roomSizes,
    joinsPerRoom,
    handshakeTimeoutMs: 15_000,
    giveUpAfterEmptyBatches: 3,
    warmUpUsers,
  };
}
