// A Tally worker in Node.js, with only public clients: kafkajs for Kafka and Confluent's
// @confluentinc/schemaregistry for Avro through the registry's Confluent-compatible API.
//
// It serves the task type `word-stats` (input {text}, output {words, characters, longest}) and does what the Java
// SDK (libs/tally-worker) does for a TaskHandler, following the task envelope of docs/adr/0016-task-envelope.md:
//
//   1. registers its contract: the input schema under `tally.tasks.word-stats-value` (the engine encodes requests
//      with it) and the output schema under `tally.tasks.word-stats.output`, and waits until the catalogue's
//      `TaskResult` contract is in the registry;
//   2. consumes `tally.tasks.word-stats` in group `tally-worker-word-stats`, read-committed, from the earliest offset;
//   3. reads the request's metadata from its CloudEvents `ce_*` headers and decodes the Avro value;
//   4. runs the handler and writes one `TaskResult` per request to `tally.tasks.results`, keyed by job id, with the
//      output as registry wire-format bytes (SUCCEEDED), or a `TaskError` (FAILED), or nothing (SKIPPED);
//   5. commits the request's offset only after the result is written: at least once. A crash in between runs the
//      task again and answers again; the engine counts each (job, stage, item) once, so that is safe.
//
// Copy this file, change TASK_TYPE, the two .avsc files and `handle`, and you have a worker of your own.
// Settings come from the environment (defaults fit `./tally dev`):
//   KAFKA_BOOTSTRAP_SERVERS  localhost:9092
//   SCHEMA_REGISTRY_URL      http://localhost:8081/apis/ccompat/v7   (any Confluent-compatible registry API)
//   TALLY_WORKER_ID          node-word-stats-<hostname>               (the result's `worker`, for tracing)
//   TALLY_TASK_PARTITIONS    6                                        (only used if the request topic is missing)
//
// Known gaps, compared with the Java SDK: no worker-local retry topics (a retryable error goes straight back to the
// engine as a retryable FAILED result, and the stage's retry policy decides), no TaskProgress reports, no metrics,
// and one task at a time per process. A cancelled job's queued tasks are skipped; a running one is not stopped.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const {
  SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType, SubjectNameStrategyType, RestError,
} = require('@confluentinc/schemaregistry');

const TASK_TYPE = 'word-stats';

// Topic and subject names are fixed by ADR 0016.
const REQUESTS = `tally.tasks.${TASK_TYPE}`;
const DEAD_LETTERS = `tally.dlt.tasks.${TASK_TYPE}`;
const RESULTS = 'tally.tasks.results';
const CANCELLED = 'tally.jobs.cancelled';
const INPUT_SUBJECT = `${REQUESTS}-value`;
const OUTPUT_SUBJECT = `${REQUESTS}.output`;
// The Java SDK's group id for the type, so a Node and a Java worker of one type would share the work.
const GROUP_ID = `tally-worker-${TASK_TYPE}`;

const config = {
  brokers: (process.env.KAFKA_BOOTSTRAP_SERVERS || 'localhost:9092').split(','),
  registry: process.env.SCHEMA_REGISTRY_URL || 'http://localhost:8081/apis/ccompat/v7',
  workerId: process.env.TALLY_WORKER_ID || `node-${TASK_TYPE}-${os.hostname()}`,
  partitions: Number(process.env.TALLY_TASK_PARTITIONS || 6),
};

/** A failure another attempt cannot fix (retryable false) or might (true); `code` is what retry policies name. */
class TaskFailed extends Error {
  constructor(code, message, retryable = false) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * The work itself: the decoded input record and the task's metadata in, the output record out. Return null for
 * "nothing to do" (SKIPPED); throw TaskFailed for a known failure, anything else for a retryable one.
 */
async function handle(input, task) {
  const text = input.text.trim();
  if (text === '') {
    throw new TaskFailed('empty-text', `task ${task.taskId}: the text is blank, there is nothing to count`, false);
  }
  const words = text.split(/\s+/u);
  const longest = words.reduce((best, word) => ([...word].length > [...best].length ? word : best), '');
  return { words: words.length, characters: [...input.text].length, longest };
}

// ---------------------------------------------------------------------------------------------------------------
// Everything below is the envelope, the same for any task type.

const log = (message) => console.log(`${new Date().toISOString()} ${message}`);

/** The schema text as Java's Schema.toString() writes it, so the registry sees the same content from both sides. */
function schemaOf(file) {
  return JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, 'src/main/avro', file), 'utf8')));
}

/** Reads a request's headers (kafkajs gives Buffers); throws a reason when a required one is missing. */
function taskOf(headers) {
  const text = (name) => (headers[name] == null ? null : headers[name].toString('utf8'));
  const required = (name) => {
    const value = text(name);
    if (value == null || value.trim() === '') {
      throw new Error(`task request has no ${name} header (ADR 0016: CloudEvents binary mode)`);
    }
    return value;
  };
  if (required('ce_specversion') !== '1.0') throw new Error(`unsupported ce_specversion ${text('ce_specversion')}`);
  if (required('ce_type') !== 'io.tally.task.requested') throw new Error(`unexpected ce_type ${text('ce_type')}`);
  const type = text('ce_tallytasktype');
  if (type != null && type !== TASK_TYPE) throw new Error(`task request of type ${type} on the topic of ${TASK_TYPE}`);
  const attempt = Number.parseInt(required('ce_tallyattempt'), 10);
  if (Number.isNaN(attempt)) throw new Error(`ce_tallyattempt ${text('ce_tallyattempt')} is not a number`);
  return {
    taskId: required('ce_id'), // unique per attempt; a redelivered request repeats it
    jobId: required('ce_tallyjob'),
    stage: required('ce_tallystage'),
    itemId: text('ce_tallyitem'), // null for a single task, else the fan-out element
    attempt,
    deadline: text('ce_tallydeadline'), // RFC 3339; the engine times the attempt out then
  };
}

/** Resolves once `subject` has a version in the registry; says once what it waits for. */
async function untilRegistered(registry, subject) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await registry.getLatestSchemaMetadata(subject);
    } catch (e) {
      if (!(e instanceof RestError && e.status === 404)) throw e;
      if (attempt === 0) log(`waiting for ${subject} in the registry (run \`tally schemas register\`, or ./tally dev)`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function main() {
  const registry = new SchemaRegistryClient({ baseURLs: [config.registry] });

  // 1. Contracts before consumers (the SDK does the same at start-up). Registering an existing schema adds no version.
  const avro = (file) => ({ schemaType: 'AVRO', schema: schemaOf(file) });
  const inputId = await registry.register(INPUT_SUBJECT, avro('WordStatsInput.avsc'));
  const outputId = await registry.register(OUTPUT_SUBJECT, avro('WordStatsOutput.avsc'));
  log(`registered ${INPUT_SUBJECT} (id ${inputId}) and ${OUTPUT_SUBJECT} (id ${outputId})`);
  // TaskResult is a catalogue contract, registered before any producer by the platform (`./tally dev` does it,
  // a deployment runs `tally schemas register`), not by each worker: wait for it rather than answer without it.
  await untilRegistered(registry, `${RESULTS}-value`);

  // TOPIC: subject <topic>-value, as the Java side names them (the default strategy would ask the registry for
  // topic associations, an API Apicurio does not have).
  const topicSubjects = { subjectNameStrategyType: SubjectNameStrategyType.TOPIC };
  const inputs = new AvroDeserializer(registry, SerdeType.VALUE, topicSubjects);
  // TaskResult: write with the registry's latest version (the catalogue's), never register one.
  const results = new AvroSerializer(registry, SerdeType.VALUE,
    { ...topicSubjects, useLatestVersion: true, autoRegisterSchemas: false });
  // The output is framed under its own subject, not under a topic's.
  const outputs = new AvroSerializer(registry, SerdeType.VALUE,
    { subjectNameStrategy: () => OUTPUT_SUBJECT, useLatestVersion: true, autoRegisterSchemas: false });

  const kafka = new Kafka({ clientId: config.workerId, brokers: config.brokers, logLevel: logLevel.WARN });

  // The request topic normally comes from the engine (it creates one per task type of a published pipeline); the
  // dead-letter topic is the worker's, as in the SDK (kept 28 days). Only missing topics are created.
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const missing = [
    { topic: REQUESTS, numPartitions: config.partitions },
    { topic: DEAD_LETTERS, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(28 * 86400000) }] },
  ].filter((topic) => !existing.has(topic.topic));
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missing });
    log(`created ${missing.map((topic) => topic.topic).join(', ')}`);
  }
  await admin.disconnect();

  // Java's murmur2 partitioner: results must land on the partition the engine expects for their job id.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();

  // Cancellation: tally.jobs.cancelled is compacted and keyed by job id. Read it all, keep the keys. A group of its
  // own that never commits, so every start reads it from the beginning (kafkajs has no group-less consumer).
  const cancelledJobs = new Set();
  const cancellations = kafka.consumer({ groupId: `${GROUP_ID}-cancelled-${crypto.randomUUID()}` });
  await cancellations.connect();
  await cancellations.subscribe({ topic: CANCELLED, fromBeginning: true });
  await cancellations.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const jobId = message.key.toString('utf8');
      if (message.value == null) {
        cancelledJobs.delete(jobId);
      } else if (!cancelledJobs.has(jobId)) {
        cancelledJobs.add(jobId);
        log(`job ${jobId} is cancelled: its tasks are skipped`);
      }
    },
  });

  // 4. One TaskResult per request; `extra` holds outcome, output and error.
  const answer = async (task, startedAt, extra) => {
    const result = {
      taskId: task.taskId, jobId: task.jobId, stage: task.stage, itemId: task.itemId, attempt: task.attempt,
      taskType: TASK_TYPE, output: null, error: null, worker: config.workerId, startedAt, endedAt: Date.now(), ...extra,
    };
    // acks=all (idempotent producer): when send resolves, the result is on the broker.
    const value = await results.serialize(RESULTS, result);
    await producer.send({ topic: RESULTS, messages: [{ key: task.jobId, value }] });
    log(`${result.outcome} ${task.taskId}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}`);
  };

  // 2. The engine writes requests in transactions: read committed ones only (readUncommitted false).
  const requests = kafka.consumer({ groupId: GROUP_ID, readUncommitted: false });
  await requests.connect();
  await requests.subscribe({ topic: REQUESTS, fromBeginning: true });
  requests.on(requests.events.GROUP_JOIN, () => log(`ready: consuming ${REQUESTS} in group ${GROUP_ID}`));

  await requests.run({
    autoCommit: false, // 5. we commit ourselves, after the result
    eachMessage: async ({ topic, partition, message, heartbeat }) => {
      const startedAt = Date.now();
      const next = (BigInt(message.offset) + 1n).toString(); // a committed offset is the next one to read
      const commit = () => requests.commitOffsets([{ topic, partition, offset: next }]);

      // 3. Metadata. A record without it cannot be answered: it goes to the dead-letter topic with the reason.
      let task;
      try {
        // A handler that runs longer than the session timeout (30 s) calls task.heartbeat() now and then.
        task = { ...taskOf(message.headers || {}), heartbeat };
      } catch (e) {
        log(`dead-lettering ${topic}-${partition}@${message.offset}: ${e.message}`);
        await producer.send({ topic: DEAD_LETTERS, messages: [{
          key: message.key, value: message.value,
          headers: { ...message.headers, 'tally_dlt-reason': e.message, 'kafka_dlt-original-topic': topic },
        }] });
        return commit();
      }

      if (cancelledJobs.has(task.jobId)) {
        await answer(task, startedAt, { outcome: 'SKIPPED',
          error: { code: 'cancelled', message: `job ${task.jobId} was cancelled`, retryable: false } });
        return commit();
      }

      let input;
      try {
        input = await inputs.deserialize(topic, message.value);
      } catch (e) {
        // The registry unreachable or failing: throw, and kafkajs delivers the record again after a back-off.
        if (e instanceof RestError && !(e.status >= 400 && e.status < 500)) throw e;
        const reason = `the request's value cannot be read: ${e.message}`;
        await answer(task, startedAt,
          { outcome: 'FAILED', error: { code: 'unreadable-input', message: reason, retryable: false } });
        return commit();
      }

      let output;
      try {
        output = await handle(input, task);
      } catch (e) {
        const failed = e instanceof TaskFailed ? e : new TaskFailed('handler-error', String(e && e.message || e), true);
        await answer(task, startedAt, { outcome: 'FAILED',
          error: { code: failed.code, message: failed.message, retryable: failed.retryable } });
        return commit();
      }

      await answer(task, startedAt, output == null ? { outcome: 'SKIPPED' }
        : { outcome: 'SUCCEEDED', output: await outputs.serialize(OUTPUT_SUBJECT, output) });
      return commit();
    },
  });

  // SIGTERM (docker stop, Kubernetes) and Ctrl-C: finish the running task, then leave the group.
  const stop = async (signal) => {
    log(`${signal}: stopping`);
    await requests.disconnect();
    await cancellations.disconnect();
    await producer.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  console.error(`word-stats worker failed: ${e && e.stack || e}`);
  process.exit(1);
});
