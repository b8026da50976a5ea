-- The job store (issue 12): one row per accepted job, one per recorded part result.
-- The same SQL runs on PostgreSQL and on H2 in MODE=PostgreSQL: keep to what both understand
-- (text is unbounded on both; timestamps are UTC without a zone).

create table jobs (
  id varchar(36) primary key,
  task varchar(64) not null,
  mode varchar(16) not null,
  -- the job's validated JSON body: enough to build its spec again on any gateway
  request text not null,
  parts int not null,
  -- running, succeeded, failed, cancelled (the HTTP API's names)
  state varchar(16) not null,
  -- parts with a recorded result: counted by the inserts themselves, so a part counts once
  done int not null default 0,
  failed int not null default 0,
  retried int not null default 0,
  -- compact JSON, null until the job succeeded
  result text,
  -- JSON array of {part, code, message}
  errors text,
  created_at timestamp not null,
  finished_at timestamp,
  -- the unique cluster address of the gateway running the job; null once it finished
  owner varchar(200),
  cancel_requested boolean not null default false,
  result_bytes bigint not null default 0
);

-- The listing by state (newest first) and the search for orphans (running jobs).
create index jobs_state_created on jobs (state, created_at);
-- The listing of all jobs, newest first.
create index jobs_created on jobs (created_at);

create table part_results (
  job_id varchar(36) not null references jobs (id) on delete cascade,
  part int not null,
  result text not null,
  primary key (job_id, part)
);
