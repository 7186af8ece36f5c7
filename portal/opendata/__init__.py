"""Open data (公共数据开放): the datasets the district publishes at /data, anonymised, described in
DCAT and refreshed by a job (docs/open-data.md). The domain modules import no Flask; the pages are
in `portal.opendata.views`, the command in `portal.opendata.commands`.

`refresh(session, now=None)` builds every dataset and stores its snapshot (the
`refresh-open-data` command and the job queue call it).
"""

from portal.opendata.datasets import DATASETS, find
from portal.opendata.publishing import RefreshReport, refresh
from portal.opendata.spec import LICENCE, Dataset, Field

__all__ = ["DATASETS", "LICENCE", "Dataset", "Field", "RefreshReport", "find", "refresh"]
