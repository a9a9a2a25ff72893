import MetaJobCLI

MetajobCommand.mainWithExitCodes()
