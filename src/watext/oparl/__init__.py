"""OParl: council information systems (papers, meetings, files) as a source of documents."""
