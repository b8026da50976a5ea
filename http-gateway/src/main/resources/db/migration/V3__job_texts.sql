-- A job's texts (its request, its result and errors) in a table of their own, out of the row that
-- every flush updates and every listing, orphan search and pruning reads. H2 in MODE=PostgreSQL
-- keeps text inline, so with a 100 KB request and result in it, each counter update rewrote
-- 200 KB and pruning 300 finished jobs took 100-400 ms. PostgreSQL moves large text out of line
-- by itself (TOAST); there this split costs one more small row per job.
-- The same SQL runs on PostgreSQL and on H2 in MODE=PostgreSQL.

create table job_texts (
  job_id varchar(36) primary key references jobs (id) on delete cascade,
  -- the job's validated JSON body: enough to build its spec again on any gateway
  request text not null,
  -- compact JSON, null until the job succeeded
  result text,
  -- JSON array of {part, code, message}
  errors text
);

insert into job_texts (job_id, request, result, errors) select id, request, result, errors from jobs;

alter table jobs drop column request;
alter table jobs drop column result;
alter table jobs drop column errors;
