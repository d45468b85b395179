import { defaultScenario, runScenario } from '../bench/simulation/run-scenario';
(async () => {
  for (const n of [1000, 10000, 100000]) {
    for (const o of [{}, { injected429: 0.01, gone410: 0.01 }, { design: 'single-invocation' as const }]) {
      const r = await runScenario(defaultScenario(n, o));
      const { settings, ...rest } = r;
      console.log(n, JSON.stringify(o), JSON.stringify({ ...rest, gbSeconds: rest.gbSeconds.toFixed(1), ratio: (rest.lastDeliveryS / rest.floorS).toFixed(2) }));
    }
  }
})();
