// Runs the suite in jest's usual order, but zz-secrets.test.ts last.
import Sequencer from '@jest/test-sequencer';

const Base = Sequencer.default ?? Sequencer;

export default class LastSecrets extends Base {
  sort(tests) {
    const sorted = super.sort(tests);
    const last = (t) => /zz-secrets\.test\.ts$/.test(t.path);
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}
