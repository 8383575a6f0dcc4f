public let schemaProbe = PackageResources._001_initial_sql.count
