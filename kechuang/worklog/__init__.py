"""跟踪培育台账: the work the lists ask for (contacts, stages, owners), in the state database.

    rules     kinds, lists, stages, who may record, input checks (WorklogError, Refused, StaleStage)
    tables    the SQLAlchemy tables (migration 0002_worklog); append only
    store     writes: record_contact, correct_contact, record_stage, assign_owner (one transaction
              each, audited; refusals audited too)
    reading   entries (history, CLI list), current stages and owners, effective contacts
    lists     find_firm (the register's firm and town), members (which firm is on which list)
    county    todo (我的待办), county_view, untouched, contacts_by_town, stage_funnel
    bridge    attach(wh): the recorded contacts inside the warehouse, for key_enterprises_served
    commands  `python -m kechuang worklog ...`

The briefing's functions are offered here: contacts_by_town(month, ...), stage_funnel(...) and, for
the Word briefing's 本月工作情况, month_contacts_by_town(wh, as_of).
"""

from kechuang.worklog.briefing import month_contacts_by_town
from kechuang.worklog.county import contacts_by_town, stage_funnel

__all__ = ["contacts_by_town", "month_contacts_by_town", "stage_funnel"]
