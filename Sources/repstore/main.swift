import RepStore; print(schemaProbe)
