"""The service layer: the one place the CLI, the REST API and the web page call into.

One module per concern; this package re-exports what its callers use, so that they write
``from casebook import service`` and ``service.add(...)``:

- ``pipeline``: the default pipeline (built once per process), analysis of a document, a text
  or the inputs, the assertion and relation pipelines of the evaluation harness, CARE checks;
- ``inputs``: documents from files, folders, globs, uploads and query texts;
- ``hashing``: the content hash that decides whether a stored case is current;
- ``export``: Case JSON and FHIR Bundle files, written atomically;
- ``extraction``: ``extract``, one file per document, resumable;
- ``store``: which store a command uses, opening it, and reading, counting and removing cases;
- ``records``: cases with their search-index entries, committed in batches;
- ``workers``: analysis in worker processes that exit with their parent;
- ``adding``: ``add`` (analyse into the store) and ``store_cases``;
- ``loading``: ``load``, cases analysed elsewhere;
- ``similar``: similar-case ``search`` and ``precedent``, with ``SearchFilters``.

What is heavy is imported where it is used: the pipeline pulls in spaCy and the models'
numerical libraries, FHIR export fhir.resources, the store DuckDB and the search scipy and
bm25s, which commands that need none of them (help, errors, schema, count, show) never load.
"""

from casebook.search.filters import SearchFilters
from casebook.service.adding import add, store_cases
from casebook.service.export import (
    ExportFormat,
    already_extracted,
    case_filename,
    export_case,
    write_case,
)
from casebook.service.extraction import ExtractResult, extract
from casebook.service.hashing import content_hash
from casebook.service.inputs import query_document, read_inputs, read_upload
from casebook.service.loading import LOAD_READERS, LoadResult, document_of, load
from casebook.service.pipeline import (
    analyze_document,
    analyze_inputs,
    analyze_text,
    assert_mentions,
    care_check,
    default_pipeline,
    relate_mentions,
)
from casebook.service.records import AddResult, case_record
from casebook.service.similar import precedent, search
from casebook.service.store import (
    StaleCases,
    count_cases,
    get_case,
    list_cases,
    migrate_store,
    open_store,
    remove_case,
    resolve_store,
    stale_cases,
)
from casebook.service.workers import exit_with_parent

__all__ = [
    "LOAD_READERS",
    "AddResult",
    "ExportFormat",
    "ExtractResult",
    "LoadResult",
    "SearchFilters",
    "StaleCases",
    "add",
    "already_extracted",
    "analyze_document",
    "analyze_inputs",
    "analyze_text",
    "assert_mentions",
    "care_check",
    "case_filename",
    "case_record",
    "content_hash",
    "count_cases",
    "default_pipeline",
    "document_of",
    "exit_with_parent",
    "export_case",
    "extract",
    "get_case",
    "list_cases",
    "load",
    "migrate_store",
    "open_store",
    "precedent",
    "query_document",
    "read_inputs",
    "read_upload",
    "relate_mentions",
    "remove_case",
    "resolve_store",
    "search",
    "stale_cases",
    "store_cases",
    "write_case",
]
