import type { Room } from '@colyseus/sdk';
import type { Control } from '../../shared/control.schema.ts';
import type { LandscapeFrame } from '../../shared/landscape.schema.ts';
import { Activation, OptimizerName } from '../../shared/model-spec.schema.ts';
import type { PlaygroundClientMessages, PlaygroundErrorMessage, PlaygroundPointsMessage, PlaygroundProbeMessage, PlaygroundResultMessage } from '../../shared/playground.messages.ts';
import type { PlaygroundFork, PlaygroundState } from '../../shared/playground.state.ts';
import { TaskSpec, taskKind, type TaskName } from '../../shared/task.schema.ts';
import { BoundaryView } from './boundary.view.ts';
import { ErrorAnalysisPanel } from './error-analysis.panel.ts';
import { CurveChart, type CurveSeries, type SmoothingKind } from '../widgets/curve-chart.ts';
import { windowOfWeight } from '../widgets/curve-resample.ts';
import { ForkTimeline } from './fork-timeline.ts';
import { KeptRuns } from './kept-runs.ts';
import { curveWaitText } from '../widgets/curve-wait.ts';
import { WaitingNote } from '../widgets/waiting-note.ts';
import { byId, h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { roomSender } from '../shell/room-sender.ts';
import { InsightPanel } from './insight.panel.ts';
import { SweepPanel } from './sweep.panel.ts';
import { seatCss } from '../widgets/palette.ts';
import { runDownloads } from '../widgets/run-downloads.ts';
import { RunOutlooks } from '../widgets/run-outlook.ts';
import { rendererLabel, type RendererKind } from '../shell/renderer-choice.ts';
import { SpecEditor } from '../designer/spec-editor.ts';
import type { TerrainView } from './terrain.view.ts';
import { toast } from '../shell/toast.ts';
import type { RoomNoticeMessage } from '../../shared/protocol.ts';
import { spectatorPlayback } from '../widgets/spectator-playback.ts';
import { LessonPanel } from './lesson.panel.ts';
import { EngineControls } from './engine-controls.ts';
import { isPageShortcut } from '../widgets/page-keys.ts';
import { afterNextPaint } from '../shell/after-paint.ts';

/** What a spectator's playback holds: the room as it was, and the probes that came with it. */
interface PlaygroundFrame {
  state: PlaygroundState;
  probes: PlaygroundProbeMessage[];
}
/** Probes a spectator's frames keep at most between two looks (the layer view keeps this many). */
const KEPT_PROBES = 120;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Side of the loss-terrain grid the page asks for (the engine computes at most 51). */
const TERRAIN_RESOLUTION = 31;

function phaseText(s: PlaygroundState): string {
  if (s.phase === 'design') return 'Designing';
  if (s.phase === 'training') return s.paused ? `Paused at step ${s.step}` : 'Training';
  if (s.phase === 'finished') return 'Finished';
  if (s.phase === 'failed') return 'Failed';
  return s.phase;
}

/**
 * The playground page: one run, its learning curve, the decision boundary
 * over the data, the confusion matrix, and the loss terrain on request. The
 * owner designs, starts and steers; spectators see everything, steer nothing.
 */
export async function mountPlayground(app: HTMLElement, room: Room<any, PlaygroundState>, owner: boolean, renderer: () => Promise<RendererKind>, page = new PageScope()): Promise<PageScope> {
  const lessonPanel = new LessonPanel();
  let lessonLocked = false;
  const send = roomSender<typeof PlaygroundClientMessages>(room);
  const base = `${location.origin}${location.pathname}`;
  const playLink = `${base}?room=${room.roomId}`;
  const watchLink = `${base}?room=${room.roomId}&spectate=1`;
  history.replaceState(null, '', owner ? playLink : watchLink);

  // The designer needs the room's task (MNIST offers conv layers): a freshly created room may not have sent its state yet.
  if (!room.state.task) await new Promise<void>((resolve) => room.onStateChange.once(() => resolve()));
  const task: TaskSpec = TaskSpec.parse({ name: (room.state.task || 'spiral') as TaskName });
  // The designer is the owner's: a spectator's page does not build it.
  const editor = owner ? new SpecEditor(task, () => updateControls()) : undefined;
  const startBtn = h('button', { id: 'start-run', type: 'button', title: 'Train this network (Enter)' }, 'Train');
  const select = (id: string, options: readonly string[]) => h('select', { id }, ...options.map((o) => h('option', { value: o }, o)));
  const lrSlider = h('input', { id: 'lr-slider', type: 'range', min: '-4', max: '0', step: '0.1', value: '-2', 'aria-label': 'Learning rate (log scale)' });
  const lrValue = h('span', { id: 'lr-value', class: 'stat' }, '—'); // the applied rate, once a run has one
  const batch = select('batch-select', ['1', '4', '8', '16', '32', '64', '128', '256']);
  const optimizer = select('optimizer-select', OptimizerName.options);
  const layerBox = h('div', { id: 'layer-controls', class: 'layer-controls' });
  const noiseTarget = select('noise-target', ['weights', 'inputs', 'labels']);
  const noiseStrength = h('input', { id: 'noise-strength', type: 'range', min: '0', max: '1', step: '0.05', value: '0.3', 'aria-label': 'Noise strength' });
  const noiseBtn = h('button', { id: 'inject-noise', type: 'button', class: 'ghost', title: 'Inject noise (n)' }, 'Inject noise');
  const pauseBtn = h('button', { id: 'pause', type: 'button', title: 'Pause or resume (space)' }, 'Pause');
  const checkpointBtn = h('button', { id: 'checkpoint', type: 'button', class: 'ghost', title: 'Take a checkpoint (c)' }, 'Checkpoint');
  const rewindBtn = h('button', { id: 'rewind', type: 'button', class: 'ghost', title: 'Rewind to the previous checkpoint (r)' }, 'Rewind');
  const stopBtn = h('button', { id: 'stop-run', type: 'button', class: 'ghost', title: 'Stop: end the run now and keep it as it is (s)' }, 'Stop');
  const keepBestBtn = h('button', { id: 'keep-best', type: 'button', class: 'ghost', title: 'Keep best: end the run with its checkpoint that scores best on validation (k)' }, 'Keep best');
  const forkBtn = h('button', { id: 'fork', type: 'button', class: 'ghost', title: 'Fork this run from its latest checkpoint: B trains beside A (f)' }, 'Fork');
  const steerTarget = h('select', { id: 'steer-target', 'aria-label': 'Which run the controls steer' }, h('option', { value: 'a' }, 'A: the run'), h('option', { value: 'b' }, 'B: the fork'));
  const terrainBtn = h('button', { id: 'open-terrain', type: 'button', title: 'Compute the loss terrain around the current weights (l)' }, 'Show loss terrain');
  const steering: Array<HTMLInputElement | HTMLSelectElement | HTMLButtonElement> = [lrSlider, batch, optimizer, noiseTarget, noiseStrength, noiseBtn, pauseBtn, checkpointBtn, rewindBtn, forkBtn, stopBtn, keepBestBtn];
  for (const el of [...steering, startBtn, terrainBtn]) el.disabled = true; // until the first render says who may do what
  // The owner steers, so they see live; a spectator may watch slower or faster than live (never past it).
  let shown: PlaygroundState = room.state;
  const view = () => (owner ? room.state : shown);
  const insight = new InsightPanel(renderer, () => ({ activations: [...view().activations], frozen: [...view().frozen] }));
  page.add(() => insight.destroy());
  const sweep = new SweepPanel({ owner, send, canAdopt: () => owner && room.state.phase !== 'training' });
  const errors = new ErrorAnalysisPanel({ digits: task.name === 'mnist', regression: taskKind(task.name) === 'regression' });
  page.add(() => errors.destroy());
  let draw = (): void => {};
  const playback = owner
    ? undefined
    : spectatorPlayback<PlaygroundFrame>(
        page,
        (frames) => {
          shown = frames.at(-1)!.state;
          const probes = frames.flatMap((f) => f.probes).slice(-KEPT_PROBES);
          probes.forEach((p, i) => showProbe(p, i === probes.length - 1));
          draw();
        },
        { merge: (older, newer) => ({ state: newer.state, probes: [...older.probes, ...newer.probes].slice(-KEPT_PROBES) }) },
      );
  // Ended runs kept on the chart to compare, and the timeline of checkpoints to fork from (the owner's).
  const kept = new KeptRuns(() => draw());
  const forkAt = (runId: string, step: number) => {
    send('fork', { runId, step });
    steerTarget.value = 'b';
  };
  const timeline = new ForkTimeline(forkAt);
  const share = (id: string, value: string) => h('div', { class: 'share' }, h('input', { id, value, readonly: true, 'aria-label': id }));

  const engine = new EngineControls({
    task,
    owner,
    steer: (control) => steer(control),
    steered: () => steered(),
    live: () => live(),
    budget: () => room.state.budget,
  });

  app.replaceChildren(
    h(
      'div',
      { class: 'race-layout' },
      h(
        'aside',
        {},
        editor
          ? h('section', { class: 'panel', id: 'designer' }, h('h2', {}, 'Your network'), editor.element, h('div', { class: 'row' }, startBtn))
          : h('section', { class: 'panel', id: 'spectating' }, h('h2', {}, 'Spectating'), h('p', { class: 'muted' }, 'You are watching someone train a network, live or at your own speed. Only they can steer it.')),
        h(
          'section',
          { class: 'panel', id: 'controls' },
          h('h2', {}, 'Controls'),
          h('div', { class: 'row', id: 'steer-target-row', hidden: true }, h('label', { for: 'steer-target' }, 'Steering'), steerTarget),
          h('label', { for: 'lr-slider' }, 'Learning rate ', lrValue, h('span', { class: 'muted' }, ' · applied: ', h('span', { id: 'applied-lr', class: 'stat' }, '—'))),
          lrSlider,
          h('div', { class: 'row' }, h('div', {}, h('label', { for: 'batch-select' }, 'Batch size'), batch), h('div', {}, h('label', { for: 'optimizer-select' }, 'Optimizer'), optimizer)),
          h('label', {}, 'Layers: activation, freeze, remove'),
          layerBox,
          owner ? engine.layerAdd : '',
          owner ? engine.element : '',
          h('div', { class: 'row' }, h('div', {}, h('label', { for: 'noise-target' }, 'Noise on'), noiseTarget), h('div', {}, h('label', { for: 'noise-strength' }, 'Strength'), noiseStrength)),
          h('div', { class: 'row buttons' }, pauseBtn, checkpointBtn, rewindBtn, noiseBtn, forkBtn),
          h('div', { class: 'row buttons' }, stopBtn, keepBestBtn),
          h('p', { class: 'muted', id: 'last-control' }, ''),
          owner
            ? h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, 'space'), ' pause · ', h('kbd', {}, '['), h('kbd', {}, ']'), ' learning rate · ', h('kbd', {}, 'c'), ' checkpoint · ', h('kbd', {}, 'r'), ' rewind · ', h('kbd', {}, 'n'), ' noise · ', h('kbd', {}, 'f'), ' fork · ', h('kbd', {}, 's'), ' stop · ', h('kbd', {}, 'k'), ' keep best · ', ...EngineControls.keys(), h('kbd', {}, 'b'), ' steer A/B · ', h('kbd', {}, 'l'), ' terrain · ', h('kbd', {}, 'v'), ' train + validation · ', h('kbd', {}, 'o'), ' log loss · ', h('kbd', {}, 'w'), h('kbd', {}, 'a'), h('kbd', {}, 'g'), ' layers, neurons, 3D graph · ', h('kbd', {}, 't'), ' theme', ' · checkpoint timeline: ', h('kbd', {}, '←'), h('kbd', {}, '→'), ' then ', h('kbd', {}, 'Enter'), ' forks')
            : h('p', { class: 'muted' }, 'Keys: ', h('kbd', {}, ','), h('kbd', {}, '.'), ' slower, faster · ', h('kbd', {}, 'l'), ' live · ', h('kbd', {}, 'v'), ' train + validation · ', h('kbd', {}, 'o'), ' log loss · ', h('kbd', {}, 'w'), h('kbd', {}, 'a'), h('kbd', {}, 'g'), ' layers, neurons, 3D graph · ', h('kbd', {}, 't'), ' theme'),
        ),
        h('section', { class: 'panel', id: 'downloads', hidden: true }, h('h2', {}, 'Download'), h('p', { class: 'muted' }, 'Each stored run: its curve, run file and model for plain tf.js.'), h('ul', { id: 'download-list', class: 'download-list' })),
        h('section', { class: 'panel' }, h('h2', {}, 'Invite'), h('label', { for: 'play-link' }, 'Your link'), share('play-link', playLink), h('label', { for: 'watch-link' }, 'Spectators watch with'), share('watch-link', watchLink)),
      ),
      h(
        'div',
        {},
        h(
          'section',
          { class: 'panel' },
          h('div', { class: 'row' }, h('div', {}, h('span', { class: 'phase', id: 'phase' }, 'Loading the room…')), h('div', { class: 'muted stat', id: 'run-meta', style: 'text-align:right' })),
          playback?.element ?? '',
          lessonPanel.element,
          h('p', { class: 'challenge', id: 'challenge', hidden: true }),
          h('div', { class: 'chart-wrap', id: 'chart' }),
          h('div', { class: 'outlooks', id: 'outlooks', hidden: true }),
          h(
            'div',
            { class: 'curve-options' },
            h('label', { class: 'switch', title: 'Training and validation on the same axes, the overfitting gap shaded (v)' }, h('input', { id: 'curve-trainval', type: 'checkbox', checked: true }), ' Train + validation'),
            h('label', { class: 'switch', title: 'Loss on a log scale (o)' }, h('input', { id: 'curve-log', type: 'checkbox' }), ' Log loss'),
            h('label', { for: 'curve-smoothing' }, 'Smoothing'),
            h('input', { id: 'curve-smoothing', type: 'range', min: '0', max: '0.95', step: '0.05', value: '0', 'aria-label': 'curve smoothing: the EMA weight, or the moving average window it stands for' }),
            h('select', { id: 'curve-smoothing-kind', 'aria-label': 'smoothing kind' }, h('option', { value: 'ema' }, 'EMA'), h('option', { value: 'mean' }, 'moving average')),
            h('span', { id: 'smoothing-value', class: 'muted stat' }, 'raw'),
          ),
          kept.element,
          h('div', { class: 'table-scroll' }, h('table', { id: 'ab-compare', class: 'ab-compare', hidden: true })),
        ),
        owner ? timeline.element : '',
        h(
          'div',
          { class: 'grid2' },
          h('section', { class: 'panel' }, h('h2', {}, 'Decision boundary ', h('span', { class: 'muted', id: 'probe-step' }, '')), h('div', { class: 'boundary-wrap', id: 'boundary' })),
          h('section', { class: 'panel' }, h('h2', {}, 'Confusion matrix'), h('table', { id: 'confusion', class: 'confusion' }), h('h2', { style: 'margin-top:1rem' }, 'Run log'), h('ol', { id: 'run-log', class: 'run-log' })),
        ),
        errors.element,
        sweep.element,
        h('section', { class: 'panel', id: 'terrain-panel' }, h('div', { class: 'row' }, h('h2', {}, 'Loss terrain ', h('span', { class: 'muted', id: 'terrain-status' }, '')), h('div', { style: 'text-align:right' }, terrainBtn)), h('div', { class: 'terrain-wrap', id: 'terrain', hidden: true })),
        insight.element,
      ),
    ),
  );

  // Handlers first, before any await: the room sends the points and its last probe right after the join.
  const chart = new CurveChart(byId('chart'));
  const trainVal = byId<HTMLInputElement>('curve-trainval');
  const logLoss = byId<HTMLInputElement>('curve-log');
  const smoothing = byId<HTMLInputElement>('curve-smoothing');
  const showView = () => chart.setView({ trainAndVal: trainVal.checked, logLoss: logLoss.checked });
  trainVal.addEventListener('change', showView);
  logLoss.addEventListener('change', showView);
  const smoothingKind = byId<HTMLSelectElement>('curve-smoothing-kind');
  const smooth = () => {
    const a = Number(smoothing.value);
    const kind = smoothingKind.value as SmoothingKind;
    chart.setSmoothing(a, kind);
    byId('smoothing-value').textContent = a <= 0 ? 'raw' : kind === 'mean' ? `mean of ${windowOfWeight(a)} points` : `EMA ${a}`;
  };
  smoothing.addEventListener('input', smooth);
  smoothingKind.addEventListener('change', smooth);
  const toggle = (box: HTMLInputElement) => {
    box.checked = !box.checked;
    showView();
  };
  const boundary = new BoundaryView(byId('boundary'));
  engine.attach(boundary);
  const outlooks = new RunOutlooks();
  errors.onWorst = (worst, selected) => boundary.setWorst(worst, selected);
  boundary.onPick = (index) => errors.select(index);
  const regression = taskKind(task.name) === 'regression';

  // Steering: every control goes to the room, which checks that it is ours and that it is valid.
  // Replaced by the real one once the charts are up (input may come before).
  let render = (): void => {};
  // While a fork trains, the controls steer A or B (the Steering select, b) and show that run's settings.
  const steeringB = () => room.state.fork?.phase === 'training' && steerTarget.value === 'b';
  const steered = (): Pick<PlaygroundFork, 'paused' | 'step' | 'samples' | 'checkpoints' | 'learningRate' | 'batchSize' | 'optimizer' | 'activations' | 'frozen' | 'lastControl' | 'augmentation' | 'difficulty' | 'trainSize'> => (steeringB() ? room.state.fork : view());
  const steer = (control: Control) => send('control', { control, run: steeringB() ? 'b' : 'a' });
  const fork = () => {
    send('fork', {});
    steerTarget.value = 'b';
  };
  const switchSteering = () => {
    steerTarget.value = steerTarget.value === 'a' ? 'b' : 'a';
    render();
  };
  steerTarget.addEventListener('change', () => render());
  forkBtn.addEventListener('click', fork);
  const live = () => room.state.phase === 'training';
  const lrOfSlider = () => Number((10 ** Number(lrSlider.value)).toPrecision(2));
  // The slider shows the value the engine applied; only while it is being dragged does it show the pick.
  let draggingLr = false;
  lrSlider.addEventListener('input', () => {
    draggingLr = true;
    lrValue.textContent = String(lrOfSlider());
  });
  lrSlider.addEventListener('change', () => {
    draggingLr = false;
    steer({ type: 'setLearningRate', learningRate: lrOfSlider() });
  });
  batch.addEventListener('change', () => steer({ type: 'setBatchSize', batchSize: Number(batch.value) }));
  optimizer.addEventListener('change', () => steer({ type: 'setOptimizer', optimizer: optimizer.value as OptimizerName }));
  const togglePause = () => steer({ type: steered().paused ? 'resume' : 'pause' });
  const rewind = () => {
    const run = steered();
    const steps = [...run.checkpoints].filter((s) => s < run.step);
    const target = steps.at(-1);
    if (target === undefined) toast('There is no earlier checkpoint to rewind to.');
    else steer({ type: 'rewind', toStep: target });
  };
  const inject = () => steer({ type: 'injectNoise', target: noiseTarget.value as 'weights' | 'inputs' | 'labels', strength: Number(noiseStrength.value) });
  pauseBtn.addEventListener('click', togglePause);
  checkpointBtn.addEventListener('click', () => steer({ type: 'checkpoint' }));
  rewindBtn.addEventListener('click', rewind);
  noiseBtn.addEventListener('click', inject);
  const stopRun = () => steer({ type: 'stop' });
  const keepBest = () => steer({ type: 'keepBest' });
  stopBtn.addEventListener('click', stopRun);
  keepBestBtn.addEventListener('click', keepBest);
  const start = () => {
    if (!editor) return;
    const r = editor.read();
    if ('error' in r) return toast(r.error);
    if (!lessonLocked) send('spec', { spec: r.spec }); // a locked lesson trains its own network
    send('start', {});
  };
  startBtn.addEventListener('click', start);

  // The loss terrain: Babylon is loaded the first time it is asked for.
  let terrainLoading: Promise<TerrainView> | undefined;
  const openTerrain = async (): Promise<TerrainView> => {
    terrainLoading ??= (async () => {
      const host = byId('terrain');
      host.hidden = false;
      const { TerrainView } = await import('./terrain.view.ts');
      const view = new TerrainView(host);
      const kind = await view.init(await renderer());
      host.dataset.engine = kind;
      return view;
    })();
    return terrainLoading;
  };
  page.add(() => void terrainLoading?.then((view) => view.destroy(), () => {}));
  // The engine reports no progress while it computes a landscape: the note says what is computed and for how long.
  const terrainNote = new WaitingNote(byId('terrain'));
  page.add(() => terrainNote.destroy());
  const askTerrain = () => {
    if (!live()) return toast('The loss terrain needs a live run: start training first.');
    byId('terrain-status').textContent = 'computing…';
    terrainBtn.disabled = true;
    terrainNote.show(`computing the ${TERRAIN_RESOLUTION}×${TERRAIN_RESOLUTION} loss terrain around the current weights…`);
    void openTerrain();
    send('landscape', { resolution: TERRAIN_RESOLUTION });
  };
  terrainBtn.addEventListener('click', askTerrain);
  page.onMessage(room, 'landscape', (l: LandscapeFrame) => {
    terrainBtn.disabled = false;
    terrainNote.hide();
    if (l.error || !l.landscape) {
      byId('terrain-status').textContent = `could not compute: ${l.error ?? 'no data'}`;
      return;
    }
    const land = l.landscape;
    void openTerrain().then(async (view) => {
      if (page.disposed) return;
      const drawn = view.show(land);
      byId('terrain-status').textContent = `at step ${l.step} · ${land.trajectory.length} checkpoints on the path · drag to orbit, scroll to zoom`;
      await drawn;
      if (!page.disposed) byId('terrain').dataset.step = String(l.step); // on screen: what tests and screenshots wait for
    });
  });

  page.listen(document, 'keydown', (e) => {
    if (!isPageShortcut(e)) return;
    if (e.key === 'l' && owner) return askTerrain(); // a spectator's l goes back to live (the playback panel)
    if (e.key === 'v') return toggle(trainVal);
    if (e.key === 'o') return toggle(logLoss);
    if (!owner) return;
    if (e.key === 'Enter' && !startBtn.disabled) return start();
    if (engine.onKey(e.key)) return;
    if (!live()) return;
    const exp = Number(lrSlider.value);
    if (e.key === ' ') {
      e.preventDefault();
      togglePause();
    } else if (e.key === 'c') steer({ type: 'checkpoint' });
    else if (e.key === 'f') fork();
    else if (e.key === 'b' && room.state.fork?.phase === 'training') switchSteering();
    else if (e.key === 'r') rewind();
    else if (e.key === 'n') inject();
    else if (e.key === 's') stopRun();
    else if (e.key === 'k') keepBest();
    else if (e.key === '[' || e.key === ']') {
      lrSlider.value = String(Math.max(-4, Math.min(0, exp + (e.key === ']' ? 0.3 : -0.3))));
      lrValue.textContent = String(lrOfSlider());
      steer({ type: 'setLearningRate', learningRate: lrOfSlider() });
    }
  });

  page.onMessage(room, 'welcome', () => {});
  page.onMessage(room, 'error', (err: PlaygroundErrorMessage) => {
    toast(err.message);
    // "one is being computed" still ends in a landscape for everyone; any other refusal ends the wait
    if (err.about === 'landscape' && err.code !== 'WRONG_PHASE') terrainNote.hide();
  });
  page.onMessage(room, 'notice', (n: RoomNoticeMessage) => toast(n.message, 'info'));
  page.onMessage(room, 'points', (p: PlaygroundPointsMessage) => boundary.setPoints(p, regression));
  page.onMessage(room, 'probe', (p: PlaygroundProbeMessage) => {
    if (playback) playback.push({ state: room.state.clone(), probes: [p] });
    else showProbe(p, true);
  });
  /** Draws a probe: every one goes to the layer history; only the newest of a batch (`last`) to the boundary and the matrix. */
  function showProbe(p: PlaygroundProbeMessage, last: boolean): void {
    insight.update(p);
    errors.update(p);
    if (!last) return;
    if (p.boundary) boundary.update(p.boundary);
    byId('probe-step').textContent = `at step ${p.step}`;
    byId('boundary').dataset.step = String(p.step);
    const table = byId<HTMLTableElement>('confusion');
    const m = p.confusion;
    if (!m) return table.replaceChildren(h('tbody', {}, h('tr', {}, h('td', { class: 'muted' }, regression ? 'Regression: no classes to confuse.' : '—'))));
    const max = Math.max(1, ...m.flat());
    table.replaceChildren(
      h('thead', {}, h('tr', {}, h('th', {}, 'true ↓ / predicted →'), ...m.map((_, j) => h('th', { class: 'num' }, String(j))))),
      h('tbody', {}, ...m.map((row, i) => h('tr', {}, h('th', {}, String(i)), ...row.map((v, j) => h('td', { class: `num${i === j ? ' diag' : ''}`, style: `--w:${(v / max).toFixed(3)}` }, String(v)))))),
    );
  }
  let stored = 0;
  let keptA = 0;
  let keptB = 0;
  /** A run that ended is kept to compare (drawn once the room shows another) and, stored, to fork from. */
  const keepEnded = (r: PlaygroundResultMessage) => {
    const s = room.state;
    const run = r.run === 'a' ? (s.runId === r.runId ? s : undefined) : s.fork?.runId === r.runId ? s.fork : undefined;
    if (!run || run.curveSamples.length === 0) return;
    const from = r.run === 'b' ? (kept.find(s.fork.parentRunId)?.label ?? (s.fork.parentRunId === s.runId ? `run ${keptA + 1}` : 'a stored run')) : '';
    const label = r.run === 'a' ? `Run ${++keptA}` : `Fork ${++keptB} (${from} @ step ${s.fork.fromStep})`;
    kept.keep({ runId: r.runId, label, stored: r.stored, heldOutAccuracy: r.heldOutAccuracy, samples: [...run.curveSamples], loss: [...run.curveLoss], valAccuracy: [...run.curveValAccuracy], accuracy: [...run.curveAccuracy], valLoss: [...run.curveValLoss], checkpoints: [...run.checkpoints] });
  };
  page.onMessage(room, 'result', (r: PlaygroundResultMessage) => {
    if (r.status !== 'failed') keepEnded(r);
    if (r.status === 'failed') toast(`${r.run === 'b' ? 'The fork' : 'Training'} failed: see the run log.`);
    else toast(`${r.run === 'b' ? 'Fork B' : 'Run'} ${r.status}: ${pct(r.valAccuracy ?? 0)} on validation, ${pct(r.heldOutAccuracy ?? 0)} held out${r.stored ? ' · saved to your profile' : ''}`, 'info');
    if (r.stored) {
      stored += 1;
      byId('downloads').hidden = false;
      const held = r.heldOutAccuracy === null ? '' : ` · ${pct(r.heldOutAccuracy)} held out`;
      byId('download-list').prepend(h('li', { 'data-run': r.run }, h('span', {}, `${r.run === 'b' ? 'Fork B' : 'Run'} ${stored}${held}: `), runDownloads(r.runId)));
    }
    lessonPanel.result(r);
    for (const u of r.unlocks) toast(`Unlocked ${u.achievement}${u.tier > 1 ? ` (tier ${u.tier})` : ''}`, 'info');
  });

  let layersKey = '';
  function renderLayers(): void {
    const s = steered();
    const key = `${steeringB() ? 'b' : 'a'}|${[...s.activations].join(',')}|${[...s.frozen].join(',')}|${live()}`;
    if (key === layersKey) return;
    layersKey = key;
    layerBox.replaceChildren(
      ...[...s.activations].map((act, i) => {
        const sel = h('select', { id: `act-${i}`, 'aria-label': `Activation of layer ${i + 1}` }, ...Activation.options.map((a) => h('option', { value: a, selected: a === act }, a)));
        sel.addEventListener('change', () => steer({ type: 'setActivation', layer: i, activation: sel.value as Activation }));
        const frozen = h('input', { id: `freeze-${i}`, type: 'checkbox', checked: s.frozen[i] === true, 'aria-label': `Freeze layer ${i + 1}` });
        frozen.addEventListener('change', () => steer({ type: 'freeze', layer: i, frozen: frozen.checked }));
        sel.disabled = frozen.disabled = !owner || !live();
        return h('div', { class: 'layer-row' }, h('span', { class: 'muted' }, `Layer ${i + 1}`), sel, h('label', { class: 'switch' }, frozen, ' frozen'), owner ? engine.removeButton(i) : '');
      }),
    );
  }

  function updateControls(): void {
    const s = room.state;
    const canSteer = owner && live();
    for (const el of steering) el.disabled = !canSteer;
    const between = s.phase !== 'training';
    startBtn.disabled = !editor || !between || 'error' in editor.read();
    startBtn.textContent = s.runs > 0 ? 'Train again' : 'Train';
    editor?.setDisabled(!between || lessonLocked);
    terrainBtn.disabled = !live() || byId('terrain-status').textContent === 'computing…';
    pauseBtn.textContent = steered().paused ? 'Resume' : 'Pause';
  }

  // The chart starts first, and the boundary's renderer only once it has: two renderers starting at once would each
  // wait for the other on a busy machine. While the chart's renderer starts, the page renders the state it has, and
  // the chart sketches the run's curve on a Canvas 2D (a spectator sees it as soon as the state comes).
  // The renderer is asked for (the browser probed, Pixi loaded) once the first state is on screen: a spectator sees
  // the run's curves sketched first, and then the full chart.
  let stateShown = (): void => {};
  const chartStarted = new Promise<void>((shown) => (stateShown = shown))
    .then(() => afterNextPaint())
    .then(() => (page.disposed ? Promise.reject(new Error('the page has gone')) : renderer()))
    .then((kind) => chart.init(kind));
  page.add(() => {
    stateShown(); // a page that goes before its first state: the chain ends (rejected) and the chart goes with it
    void chartStarted.then(() => chart.destroy(), () => chart.destroy());
  });

  render = () => {
    const s = view();
    if (!s.curveSamples) return; // joined, but the first state has not come yet: onStateChange renders it
    byId('phase').textContent = phaseText(s);
    const figures = s.samples ? ` · step ${s.step} · ${pct(s.valAccuracy)} val. acc. · loss ${s.loss.toFixed(3)}` : '';
    byId('run-meta').textContent = `${s.task} · ${s.summary}${figures} · ${s.owner || '—'}${s.ownerConnected ? '' : ' (away)'} · ${s.spectators} watching`;
    const b = s.fork;
    const forked = !!b?.phase;
    const series: CurveSeries[] = [{ seat: 0, label: 'A', samples: [...s.curveSamples], loss: [...s.curveLoss], valAccuracy: [...s.curveValAccuracy], accuracy: [...s.curveAccuracy], valLoss: [...s.curveValLoss] }];
    if (forked) series.push({ seat: 1, label: 'B', samples: [...b.curveSamples], loss: [...b.curveLoss], valAccuracy: [...b.curveValAccuracy], accuracy: [...b.curveAccuracy], valLoss: [...b.curveValLoss] });
    series.unshift(...kept.series([s.runId, forked ? b.runId : '']));
    chart.waitFor(curveWaitText(s.phase));
    chart.update(series, s.budget);
    const current = s.runId ? [{ runId: s.runId, label: `A: this run${s.phase === 'training' ? ' (live)' : ''}`, checkpoints: [...s.checkpoints] }] : [];
    timeline.update([...current, ...kept.all.filter((r) => r.stored && r.runId !== s.runId).map((r) => ({ runId: r.runId, label: r.label, checkpoints: r.checkpoints }))], owner && s.phase !== 'design');
    // Time left, best so far and trend of each run (A, and B once forked), from the first run on.
    outlooks.begin();
    const outlookBox = byId('outlooks');
    outlookBox.hidden = s.runs === 0 || s.phase === 'design';
    if (!outlookBox.hidden) {
      const a = outlooks.element({ key: `a:${s.runs}`, samples: s.samples, budget: s.budget, valAccuracy: s.valAccuracy, paused: s.paused, over: s.phase !== 'training', curveSamples: s.curveSamples, curveValAccuracy: s.curveValAccuracy }, { id: 'outlook-a', label: forked ? 'A' : undefined });
      const fb = forked ? outlooks.element({ key: `b:${b.runId}`, samples: b.samples, budget: s.budget, valAccuracy: b.valAccuracy, paused: b.paused, over: b.phase !== 'training', curveSamples: b.curveSamples, curveValAccuracy: b.curveValAccuracy }, { id: 'outlook-b', label: 'B' }) : '';
      outlookBox.replaceChildren(a, fb);
    }
    byId('steer-target-row').hidden = !(owner && b?.phase === 'training');
    const ab = byId<HTMLTableElement>('ab-compare');
    ab.hidden = !forked;
    if (forked) {
      const swatch = (seat: number) => h('span', { class: 'swatch', style: `background:${seatCss(seat)}` });
      const row = (name: string, seat: number, r: { phase: string; step: number; samples: number; loss: number; valAccuracy: number; learningRate: number; heldOutAccuracy: number }, from: string) =>
        h('tr', { 'data-run': name }, h('td', {}, swatch(seat), name), h('td', { class: 'muted' }, from), h('td', {}, r.phase), h('td', { class: 'num' }, String(r.step)), h('td', { class: 'num' }, r.samples.toLocaleString('en')), h('td', { class: 'num' }, r.loss.toFixed(3)), h('td', { class: 'num' }, pct(r.valAccuracy)), h('td', { class: 'num' }, String(+r.learningRate.toPrecision(3))), h('td', { class: 'num' }, r.phase === 'finished' ? pct(r.heldOutAccuracy) : '—'));
      ab.replaceChildren(
        h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'From'), h('th', {}, 'Phase'), h('th', { class: 'num' }, 'Step'), h('th', { class: 'num' }, 'Samples'), h('th', { class: 'num' }, 'Loss'), h('th', { class: 'num' }, 'Val. acc.'), h('th', { class: 'num' }, 'Learning rate'), h('th', { class: 'num' }, 'Held-out'))),
        h('tbody', {}, row('A', 0, s, 'the start'), row('B', 1, b, `${b.parentRunId === s.runId ? 'A' : (kept.find(b.parentRunId)?.label ?? 'a stored run')} at step ${b.fromStep}`)),
      );
    }
    const run = steered();
    byId('applied-lr').textContent = run.learningRate ? String(+run.learningRate.toPrecision(3)) : '—';
    if (run.learningRate && !draggingLr) {
      lrSlider.value = String(Math.log10(run.learningRate));
      lrValue.textContent = String(+run.learningRate.toPrecision(3));
    }
    if (document.activeElement !== batch && run.batchSize) batch.value = String(run.batchSize);
    if (document.activeElement !== optimizer && run.optimizer) optimizer.value = run.optimizer;
    const onB = steeringB();
    byId('last-control').textContent = run.lastControl ? `Last${onB ? ' on B' : ''}: ${run.lastControl}` : `${onB ? 'B: ' : ''}${run.samples.toLocaleString('en')} of ${s.budget.toLocaleString('en')} samples`;
    byId('last-control').dataset.controls = String(s.controlsApplied);
    const lesson = lessonPanel.show(s.lesson);
    if (lesson) {
      // The designer starts from the lesson's network (and, when the lesson fixes it, stays there).
      editor?.setSpec(lesson.setup.spec);
      lessonLocked = lesson.setup.locked;
      updateControls();
    }
    const challenge = byId('challenge');
    challenge.hidden = !s.challenge;
    if (s.challenge) {
      const verdict = s.challengeStatus === 'passed' || s.challengeStatus === 'failed' ? s.challengeDetail : s.challengeStatus === 'open' ? 'in progress: judged on the held-out split when the budget is spent' : 'starts with your next run';
      challenge.dataset.status = s.challengeStatus || 'waiting';
      challenge.replaceChildren(h('strong', {}, 'Challenge: '), s.challenge, h('br', {}), h('span', { id: 'challenge-status' }, verdict));
    }
    const log = byId('run-log');
    log.replaceChildren(...[...s.log].map((line) => h('li', {}, line)));
    renderLayers();
    updateControls();
    if (s.sweep) sweep.render(s.sweep);
    engine.render();
    insight.refreshLayers();
    stateShown();
  };
  draw = page.frame(() => render());
  if (playback) {
    // Each change is kept as a copy: the view may show it later, after the room has moved on.
    const record = () => playback.push({ state: room.state.clone(), probes: [] });
    page.onStateChange(room, record);
    record();
  } else page.onStateChange(room, draw);
  render();
  const used = await chartStarted.catch((err: unknown) => {
    if (page.disposed) return undefined;
    throw err;
  });
  if (used === undefined || page.disposed) return page;
  byId('renderer-badge').textContent = rendererLabel(used);
  await boundary.init(await renderer());
  page.add(() => boundary.destroy());
  return page;
}
