import type { Room } from '@colyseus/sdk';
import type { ControlInput } from '../../shared/control.schema.ts';
import { OptimizerName } from '../../shared/model-spec.schema.ts';
import type { RaceClientMessages, RaceSteeredMessage } from '../../shared/race.messages.ts';
import type { RaceEntry, RaceState } from '../../shared/race.state.ts';
import { h } from '../shell/dom.ts';
import type { PageScope } from '../shell/page-scope.ts';
import { roomSender, type RoomSender } from '../shell/room-sender.ts';
import { toast } from '../shell/toast.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';
import { rewindTarget } from './rewind-target.ts';

/**
 * A player's steering during a race: each change is one intervention and
 * costs part of the budget, so the panel says what is left and what it costs.
 * Keys: l learning rate, b batch size, o optimizer, n noise, w rewind.
 * A rewind takes the run back to one of its automatic checkpoints (every
 * `checkpointEvery` steps): the one about a quarter of the way back, or the
 * earliest the run still keeps (a large network keeps only its latest few).
 */
export class SteerPanel {
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly status = h('p', { class: 'muted', id: 'steer-status' });

  private readonly room: Room<any, RaceState>;
  private readonly sendToRoom: RoomSender<typeof RaceClientMessages>;
  private readonly rewindTarget = h('span', { class: 'muted', id: 'steer-rewind-target' }, 'to an earlier checkpoint');
  private target = 0;

  /** Its room listener and key handler live as long as `page`. */
  constructor(room: Room<any, RaceState>, page: PageScope) {
    this.room = room;
    this.sendToRoom = roomSender<typeof RaceClientMessages>(room);
    const lr = h('input', { id: 'steer-lr', type: 'number', min: '0.0001', max: '10', step: 'any', value: '0.01', 'aria-label': 'new learning rate' });
    const batch = h('select', { id: 'steer-batch', 'aria-label': 'new batch size' }, ...[8, 16, 32, 64, 128].map((b) => h('option', { value: String(b), selected: b === 32 }, String(b))));
    const optimizer = h('select', { id: 'steer-optimizer', 'aria-label': 'new optimizer' }, ...OptimizerName.options.map((o) => h('option', { value: o }, o)));
    const row = (label: string, input: HTMLElement, key: string, make: () => ControlInput) => {
      const btn = h('button', { type: 'button', class: 'ghost', title: `${label} (${key})`, 'data-key': key }, label);
      btn.addEventListener('click', () => this.send(make()));
      this.buttons.push(btn);
      return h('div', { class: 'row steer-row' }, input, btn);
    };
    this.element = h(
      'section',
      { class: 'panel', id: 'steer', hidden: true },
      h('h2', {}, 'Steer your model'),
      this.status,
      row('Set learning rate', lr, 'l', () => ({ type: 'setLearningRate', learningRate: Number(lr.value) })),
      row('Set batch size', batch, 'b', () => ({ type: 'setBatchSize', batchSize: Number(batch.value) })),
      row('Switch optimizer', optimizer, 'o', () => ({ type: 'setOptimizer', optimizer: optimizer.value as OptimizerName })),
      row('Shake the weights', h('span', { class: 'muted' }, '10% noise'), 'n', () => ({ type: 'injectNoise', target: 'weights', strength: 0.1 })),
      row('Rewind', this.rewindTarget, 'w', () => ({ type: 'rewind', toStep: this.target })),
    );
    this.buttons.at(-1)!.id = 'steer-rewind';
    page.onMessage(room, 'steered', (msg: RaceSteeredMessage) =>
      toast(`Applied ${msg.control.type}: it cost ${msg.cost.toLocaleString('en')} samples; ${msg.interventionsLeft} left`, 'info'),
    );
    page.listen(document, 'keydown', (e) => {
      if (this.element.hidden || !isPageShortcut(e)) return;
      this.buttons.find((b) => b.dataset.key === e.key && !b.disabled)?.click();
    });
  }

  private send(control: ControlInput): void {
    const entry = this.room.state.entries?.get(this.room.sessionId) as RaceEntry | undefined;
    if (!entry?.runId) return;
    this.sendToRoom('control', { runId: entry.runId, control });
  }

  /** Shows the panel while the player's run trains, with the interventions left. */
  update(state: RaceState, entry: RaceEntry | undefined): void {
    const training = state.phase === 'training' && entry?.status === 'training';
    this.element.hidden = !entry || state.phase === 'lobby' || state.phase === 'countdown';
    const left = entry?.interventionsLeft ?? 0;
    this.status.textContent = training
      ? `${left} of ${state.interventions} interventions left · each costs ${state.interventionCost.toLocaleString('en')} samples`
      : 'Your run has finished: steering is closed.';
    for (const b of this.buttons) b.disabled = !training || left === 0;
    const step = entry?.step ?? 0;
    const target = rewindTarget(step, state.checkpointEvery, entry?.rewindFrom ?? 0);
    this.target = target ?? 0;
    this.rewindTarget.textContent = target !== undefined ? `to step ${target} (now ${step})` : 'once the run passes a checkpoint';
    const rewind = this.buttons.at(-1)!;
    rewind.disabled ||= target === undefined;
  }
}
