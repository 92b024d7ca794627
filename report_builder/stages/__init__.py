"""Analysis stages: each module has one public function, inputs in, a frozen result out."""
